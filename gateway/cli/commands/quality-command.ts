import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import { buildQualityReport } from '../../quality/quality-report.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../../quality/quality-report-formats.js';

interface ReportFlags {
  month: string;
  format: string;
  dir?: string;
  config?: string;
  out?: string;
  lang: string;
}

export function registerQualityCommand(program: Command): void {
  const quality = program.command('quality').description('Service quality: SLO reports from the measurement store.');
  quality
    .command('report')
    .description(
      'Monthly report per service and member state: calls, availability, p50/p95/p99 latency, error-budget burn against the SLOs, top error codes, channel feedback scores. Reads the store directory; no running gateway needed.',
    )
    .requiredOption('--month <YYYY-MM>', 'the UTC calendar month')
    .option('--format <format>', `output format: ${REPORT_FORMATS.join(' | ')}`, 'html')
    .option('--dir <dir>', 'the measurement store (default: quality.dir of the configuration, var/quality)')
    .option('-c, --config <file>', 'configuration file for quality.dir, the SLOs and the service titles')
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .option('--lang <en|ar>', 'language of the HTML report', 'en')
    .action((flags: ReportFlags) => {
      try {
        if (!(REPORT_FORMATS as readonly string[]).includes(flags.format)) throw new Error(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${flags.format}"`);
        if (flags.lang !== 'en' && flags.lang !== 'ar') throw new Error(`--lang must be en or ar, got "${flags.lang}"`);
        const { config } = loadConfig({ file: flags.config });
        const report = buildQualityReport({
          dir: flags.dir !== undefined ? resolve(flags.dir) : config.quality.dir,
          month: flags.month,
          slos: config.quality.slos,
          titles: config.quality.serviceTitles,
        });
        const output = renderReport(report, flags.format as ReportFormat, flags.lang);
        if (flags.out !== undefined) {
          writeFileSync(flags.out, output);
          process.stderr.write(`wrote the ${flags.format} report for ${flags.month} (${report.rows.length} rows) to ${flags.out}\n`);
        } else {
          process.stdout.write(output);
        }
      } catch (error) {
        process.stderr.write(`gccgw quality report: ${isGatewayError(error) ? `[${error.code}] ` : ''}${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
