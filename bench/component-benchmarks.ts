/**
 * Benchmarks of single components that `npm run bench` runs after the gateway comparison and
 * reports beside it (issue 9: "the same harness collects the trust, evidence-log and events
 * benchmarks"). Each runs as a child process of its own, one after another, so it has the machine
 * to itself as far as the harness goes, and hands its figures back through `component-result.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULT_FILE_ENV, type ComponentFigure, type ComponentResult } from './component-result.js';

export interface ComponentBenchmark {
  readonly name: string;
  /** The issue that owns the component and its targets. */
  readonly owner: string;
  /** The compiled script, relative to the repository root. */
  readonly script: string;
  /** The arguments the harness runs it with. */
  readonly args: readonly string[];
  /** The same, as someone runs it by hand (see the README of its folder for the arguments). */
  readonly command: string;
  readonly targets: string;
  /** Killed after this long: a hung benchmark must not hang the whole run. */
  readonly timeoutMillis: number;
}

export const COMPONENT_BENCHMARKS: readonly ComponentBenchmark[] = [
  {
    name: 'evidence log',
    owner: 'evidence-log issue',
    script: 'dist/bench/audit/evidence-log-bench.js',
    args: ['50000'],
    command: 'node dist/bench/audit/evidence-log-bench.js [records]',
    targets: 'batch appends >= 20,000 records/s, verification >= 200,000 records/s',
    timeoutMillis: 5 * 60_000,
  },
  {
    name: 'trust (JWS verify, chain validation)',
    owner: 'trust issue',
    script: 'dist/bench/trust/jws-verify-bench.js',
    args: ['--rounds', '5', '--seconds', '0.5'],
    command: 'node dist/bench/trust/jws-verify-bench.js [--rounds N] [--seconds S]',
    targets: 'cached-chain verify >= 0.80x raw node:crypto; cold 3-certificate validation time',
    timeoutMillis: 5 * 60_000,
  },
  {
    name: 'events (signed CloudEvents, publish -> deliver)',
    owner: 'events issue',
    script: 'dist/bench/events/events-bench.js',
    args: ['20000', '1000', '3', 'embedded,kafka-child', 'event,batch'],
    command: 'node dist/bench/events/events-bench.js [events] [rate/s] [seconds] [embedded,kafka,kafka-child] [event,batch] [producers=256]',
    targets: '>= 5,000 signed events/s end to end and p99 at 1,000 events/s, both transports; batch signing (Merkle root per batch) >= 20,000/s',
    timeoutMillis: 10 * 60_000,
  },
];

/** What became of one component benchmark in a run. */
export type ComponentOutcome =
  | { readonly name: string; readonly command: string; readonly status: 'measured'; readonly seconds: number; readonly figures: readonly ComponentFigure[]; readonly notes: readonly string[] }
  | { readonly name: string; readonly command: string; readonly status: 'failed'; readonly seconds: number; readonly reason: string };

/**
 * Runs one component benchmark in a child process (`node <script> <args>` from `root`), passes
 * its output lines to `log`, and reads back the figures it wrote. A benchmark that exits with an
 * error, is killed on its deadline or reports nothing is a `failed` outcome with the reason: the
 * run goes on and the report says so.
 */
export async function runComponentBenchmark(benchmark: ComponentBenchmark, options: { readonly root: string; readonly log: (line: string) => void }): Promise<ComponentOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'gccgw-bench-component-'));
  const resultFile = join(dir, 'result.json');
  const started = process.hrtime.bigint();
  const seconds = (): number => Math.round(Number(process.hrtime.bigint() - started) / 1e7) / 100;
  const base = { name: benchmark.name, command: benchmark.command };
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; tail: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(options.root, benchmark.script), ...benchmark.args], {
        cwd: options.root,
        env: { ...process.env, [RESULT_FILE_ENV]: resultFile },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A process group of its own: a benchmark may start children (events-bench re-runs itself
        // with the gateway's Node flags and starts a Kafka test broker), and a deadline or the
        // harness's own exit must end all of them, not leave them running on the machine.
        detached: true,
      });
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      process.once('exit', killGroup);
      let tail = '';
      const forward = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-2000);
        for (const line of text.split('\n')) if (line.trim() !== '') options.log(`  [${benchmark.name}] ${line}`);
      };
      child.stdout.on('data', forward);
      child.stderr.on('data', forward);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, benchmark.timeoutMillis);
      child.on('error', (error) => {
        clearTimeout(timer);
        process.off('exit', killGroup);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        process.off('exit', killGroup);
        resolve({ code, signal, timedOut, tail });
      });
    });
    if (exit.timedOut) return { ...base, status: 'failed', seconds: seconds(), reason: `killed after ${benchmark.timeoutMillis / 1000} s` };
    if (exit.code !== 0) {
      const lastLine = exit.tail.trim().split('\n').at(-1) ?? '';
      return { ...base, status: 'failed', seconds: seconds(), reason: `exited with ${exit.code ?? exit.signal}${lastLine !== '' ? `: ${lastLine}` : ''}` };
    }
    let result: ComponentResult;
    try {
      result = JSON.parse(readFileSync(resultFile, 'utf8')) as ComponentResult;
    } catch (error) {
      return { ...base, status: 'failed', seconds: seconds(), reason: `reported no figures (${(error as Error).message})` };
    }
    if (!Array.isArray(result.figures) || result.figures.length === 0) return { ...base, status: 'failed', seconds: seconds(), reason: 'reported no figures' };
    return { ...base, status: 'measured', seconds: seconds(), figures: result.figures, notes: result.notes ?? [] };
  } catch (error) {
    return { ...base, status: 'failed', seconds: seconds(), reason: `could not start: ${(error as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
