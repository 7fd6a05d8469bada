/**
 * A gateway (or the fixture subgraphs) under test, running as a child process so that its memory
 * and CPU time are its own: peak RSS is the kernel's high-water mark (`VmHWM` in
 * /proc/<pid>/status) and CPU time is user + system time from /proc/<pid>/stat (proc(5)). On a
 * system without /proc these read as `undefined` and the report says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildSpec {
  /** Stable id, used in the JSON results (`gccgw`, `apollo-gateway`, ...). */
  readonly id: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * Finds what the child announces once it is ready (its URL, or the fixture's JSON line) in its
   * output so far; `undefined` while not ready yet.
   */
  readonly ready: (output: string) => string | undefined;
  /** @default 60000 */
  readonly startTimeoutMillis?: number;
}

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux builds). */
const CLOCK_TICKS_PER_SECOND = 100;

/** The repository root: the nearest folder upwards holding bin/gccgw.js (works from bench/ and dist/bench/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'bin', 'gccgw.js')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (bin/gccgw.js) above the benchmark');
    dir = parent;
  }
}

/**
 * The environment for a child: the parent's, minus anything that configures a gateway or could
 * make one report to a vendor (GCCGW_*, APOLLO_*, HIVE_*), plus the spec's own variables.
 */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(GCCGW_|APOLLO_|HIVE_)/.test(name) || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  return { ...env, NODE_ENV: 'production', ...extra };
}

export class ChildServer {
  readonly #child: ChildProcess;
  #exited: Promise<number | null>;
  /** What the child announced when ready (e.g. its GraphQL URL). */
  readonly announced: string;
  #output: string;

  private constructor(child: ChildProcess, announced: string, output: { text: string }, exited: Promise<number | null>) {
    this.#child = child;
    this.announced = announced;
    this.#output = output.text;
    this.#exited = exited;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Output (stdout and stderr) seen until the child was ready; for error messages. */
  get startupOutput(): string {
    return this.#output;
  }

  static async start(spec: ChildSpec): Promise<ChildServer> {
    const child = spawn(process.execPath, [...spec.args], {
      cwd: spec.cwd ?? repoRoot(),
      env: childEnv(spec.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const announced = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${spec.id} did not start within ${spec.startTimeoutMillis ?? 60_000} ms; output:\n${output.text.slice(-4000)}`));
      }, spec.startTimeoutMillis ?? 60_000);
      const onData = (chunk: Buffer): void => {
        // Keep only what is needed to find the announcement; a chatty child must not grow memory.
        if (output.text.length < 1_000_000) output.text += chunk.toString('utf8');
        const found = spec.ready(output.text);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${spec.id} exited (${code ?? signal}) before it was ready; output:\n${output.text.slice(-4000)}`));
      });
    });
    // Drain the pipes from now on so the child never blocks on a full pipe.
    child.stdout?.removeAllListeners('data').resume();
    child.stderr?.removeAllListeners('data').resume();
    return new ChildServer(child, announced, output, exited);
  }

  /** User + system CPU time of the child so far, in milliseconds. */
  cpuMillis(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const utime = Number(fields[11]);
      const stime = Number(fields[12]);
      return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  }

  /** Peak resident set size of the child so far (VmHWM), in bytes. */
  peakRssBytes(): number | undefined {
    return this.#statusKiB('VmHWM');
  }

  #statusKiB(field: string): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return match?.[1] !== undefined ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL if the child has not exited within `graceMillis`. */
  async stop(graceMillis = 15_000): Promise<number | null> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return this.#exited;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMillis);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }
}
