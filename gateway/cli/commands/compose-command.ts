import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultSubgraphUrl, DEFAULT_SUBGRAPH_PORTS } from '../../../adapters/kit/index.js';
import { listSubgraphSdlNames, readSubgraphSdl, supergraphPath } from '../../../schemas/schema-files.js';
import { composeSupergraph, type SubgraphDefinition } from '../../federation/compose-supergraph.js';
import { gatewayOwnedSubgraphUrl } from '../../runtime/gateway-owned-subgraphs.js';
import { isGatewayError } from '../../errors/gateway-error.js';

interface ComposeFlags {
  out?: string;
  check?: boolean;
  url?: string[];
}

export function registerComposeCommand(program: Command): void {
  program
    .command('compose')
    .description('Compose schemas/subgraphs/*.graphql into schemas/supergraph.graphql (Federation v2, MIT-licensed composition).')
    .option('-o, --out <file>', 'where to write the supergraph', supergraphPath())
    .option('--check', 'do not write; exit 1 if the file differs from a fresh composition (used by CI)')
    .option('--url <name=url...>', 'URL of a subgraph to write into the supergraph (default http://127.0.0.1:<port>/graphql per adapter)')
    .action((flags: ComposeFlags) => {
      try {
        const urls = parseUrls(flags.url ?? []);
        const definitions: SubgraphDefinition[] = listSubgraphSdlNames().map((name) => ({
          name,
          typeDefs: readSubgraphSdl(name),
          url: urls.get(name) ?? (DEFAULT_SUBGRAPH_PORTS[name] !== undefined ? defaultSubgraphUrl(name) : gatewayOwnedSubgraphUrl(name)),
        }));
        const supergraph = composeSupergraph(definitions);
        const out = resolve(flags.out ?? supergraphPath());
        if (flags.check === true) {
          let committed = '';
          try {
            committed = readFileSync(out, 'utf8');
          } catch {
            // a missing file is stale too
          }
          if (committed !== supergraph) {
            process.stderr.write(`${out} is stale: it differs from the composition of schemas/subgraphs/*.graphql. Run \`npx gccgw compose\` and commit the result.\n`);
            process.exitCode = 1;
            return;
          }
          process.stdout.write(`${out} is up to date (${definitions.length} subgraphs).\n`);
          return;
        }
        writeFileSync(out, supergraph);
        process.stdout.write(`wrote ${out} from ${definitions.length} subgraphs: ${definitions.map((d) => d.name).join(', ')}\n`);
      } catch (error) {
        process.stderr.write(`gccgw compose: ${isGatewayError(error) ? `[${error.code}] ` : ''}${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

function parseUrls(pairs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const url = pair.slice(at + 1);
    if (at <= 0 || !/^https?:\/\/\S+$/.test(url)) throw new Error(`--url expects name=http(s)://..., got "${pair}"`);
    out.set(name, url);
  }
  return out;
}
