import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMPONENT_BENCHMARKS, runComponentBenchmark, type ComponentBenchmark, type ComponentOutcome } from './component-benchmarks.js';
import { RESULT_FILE_ENV, ratioToTarget, reportComponentResult } from './component-result.js';
import { formatComponents } from './federation/bench-report.js';

describe('component benchmarks run by the harness', () => {
  let root: string;
  const script = (name: string, body: string): ComponentBenchmark => {
    writeFileSync(join(root, `${name}.mjs`), body);
    return { name, owner: 'test', script: `${name}.mjs`, args: ['7'], command: `node ${name}.mjs`, targets: '-', timeoutMillis: 10_000 };
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'gccgw-component-bench-test-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('collects the figures a benchmark writes to the file the harness names, and passes its output on', async () => {
    const benchmark = script(
      'writes',
      `import { writeFileSync } from 'node:fs';
console.log('measuring with', process.argv[2]);
writeFileSync(process.env.${RESULT_FILE_ENV}, JSON.stringify({ figures: [{ label: 'appends', value: 25000 * Number(process.argv[2]), unit: 'records/s', target: 20000 }], notes: ['n'] }));`,
    );
    const lines: string[] = [];
    const outcome = await runComponentBenchmark(benchmark, { root, log: (line) => lines.push(line) });
    expect(outcome).toMatchObject({ status: 'measured', figures: [{ label: 'appends', value: 175000, unit: 'records/s', target: 20000 }], notes: ['n'] });
    expect(lines).toContain('  [writes] measuring with 7');
  });

  it('reports a benchmark that fails, reports nothing or hangs as not measured, with the reason', async () => {
    const failing = script('fails', "console.error('no broker port free'); process.exit(3);");
    const silent = script('silent', "console.log('done');");
    // It starts a child of its own that would outlive it: the deadline ends the child too.
    const hanging = {
      ...script(
        'hangs',
        `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync(new URL('./hangs.pid', import.meta.url), String(child.pid));
setInterval(() => {}, 1000);`,
      ),
      timeoutMillis: 1500,
    };
    const log = (): void => undefined;
    expect(await runComponentBenchmark(failing, { root, log })).toMatchObject({ status: 'failed', reason: 'exited with 3: no broker port free' });
    expect(await runComponentBenchmark(silent, { root, log })).toMatchObject({ status: 'failed', reason: expect.stringContaining('reported no figures') });
    expect(await runComponentBenchmark(hanging, { root, log })).toMatchObject({ status: 'failed', reason: 'killed after 1.5 s' });
    const grandchild = Number(readFileSync(join(root, 'hangs.pid'), 'utf8'));
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let waited = 0; alive(grandchild) && waited < 2000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(grandchild)).toBe(false);
  });

  it('runs the real benchmark scripts, which exist in the build', () => {
    for (const benchmark of COMPONENT_BENCHMARKS) expect(readFileSync(join(process.cwd(), benchmark.script.replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8')).toContain('reportComponentResult');
  });
});

describe('component benchmark figures', () => {
  it('writes figures only when the harness asks, and refuses a figure that is not a number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-component-result-test-'));
    try {
      const file = join(dir, 'r.json');
      reportComponentResult({ figures: [{ label: 'x', value: 1, unit: 'x' }] }, {});
      expect(() => readFileSync(file)).toThrow();
      reportComponentResult({ figures: [{ label: 'x', value: 1, unit: 'x' }] }, { [RESULT_FILE_ENV]: file });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ figures: [{ label: 'x', value: 1, unit: 'x' }] });
      expect(() => reportComponentResult({ figures: [{ label: 'y', value: Number.NaN, unit: 'x' }] }, { [RESULT_FILE_ENV]: file })).toThrow(/not a finite number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('orients the ratio to the target so that 1 or more means met, for rates and for latencies', () => {
    expect(ratioToTarget({ label: 'rate', value: 10_000, unit: 'events/s', target: 20_000 })).toBe(0.5);
    expect(ratioToTarget({ label: 'p99', value: 20, unit: 'ms', target: 10, higherIsBetter: false })).toBe(0.5);
    expect(ratioToTarget({ label: 'none', value: 3, unit: 'ms' })).toBeUndefined();
  });

  it('prints measured figures against their targets and says which component was not measured and why', () => {
    const outcomes: ComponentOutcome[] = [
      {
        name: 'events',
        command: 'node e.js',
        status: 'measured',
        seconds: 30,
        figures: [
          { label: 'embedded, batch', value: 10_000, unit: 'events/s', target: 20_000 },
          { label: 'embedded, per event', value: 4985, unit: 'events/s', target: 5000 },
          { label: 'p99', value: 8.5, unit: 'ms' },
          { label: 'cpu', value: 41, unit: 'µs' },
        ],
        notes: ['load 2'],
      },
      { name: 'trust', command: 'node t.js', status: 'failed', seconds: 1, reason: 'exited with 1' },
    ];
    const text = formatComponents(outcomes).join('\n');
    expect(text).toContain('| events | embedded, batch | 10,000 events/s | >= 20,000 events/s | 0.50x (missed) |');
    expect(text).toContain('| events | embedded, per event | 4,985 events/s | >= 5,000 events/s | 0.997x (missed) |');
    expect(text).toContain('| events | p99 | 8.50 ms | - | - |');
    expect(text).toContain('| events | cpu | 41.0 µs | - | - |');
    expect(text).toContain('| trust | not measured: exited with 1 | - | - | - |');
    expect(formatComponents(undefined).join('\n')).toContain('not run (--quick or --no-components)');
  });
});
