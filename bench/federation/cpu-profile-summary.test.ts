import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseCpuProfile } from './cpu-profile-summary.js';

const dir = mkdtempSync(join(tmpdir(), 'gccgw-profile-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (functionName: string, url = ''): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber: 0 });

/**
 * (root) -> start-up work; (root) -> handler -> verifyHttpRequest -> verifyOneShot; (root) -> (idle).
 * One sample per millisecond: 4 of start-up, then 3 of verifyOneShot, 1 of handler, 2 idle.
 */
function writeProfile(): string {
  const file = join(dir, 'test.cpuprofile');
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 6] },
    { id: 2, callFrame: frame('loadModules', 'node:internal/modules/esm/loader') },
    { id: 3, callFrame: frame('handler', 'file:///repo/dist/gateway/http/graphql-handler.js'), children: [4] },
    { id: 4, callFrame: frame('verifyHttpRequest', 'file:///repo/dist/trust/jws/http-signatures.js'), children: [5] },
    { id: 5, callFrame: frame('verifyOneShot', 'node:internal/crypto/sig') },
    { id: 6, callFrame: frame('(idle)') },
  ];
  const samples = [2, 2, 2, 2, 5, 5, 5, 3, 6, 6];
  writeFileSync(file, JSON.stringify({ nodes, startTime: 0, endTime: 10_000, samples, timeDeltas: samples.map(() => 1000) }));
  return file;
}

describe('the CPU profile summary', () => {
  const stages = [
    { name: 'request signature verification', frame: /^verifyHttpRequest / },
    { name: 'our HTTP layer', frame: /\/dist\/gateway\/http\// },
  ];

  it('counts a stage once per sample, inclusively, as a share of the busy samples', () => {
    const summary = summariseCpuProfile(writeProfile(), { stages });
    expect(summary.samples).toBe(10);
    expect(summary.busyShare).toBeCloseTo(0.8, 5);
    expect(summary.stages).toEqual([
      { name: 'request signature verification', shareOfBusy: 3 / 8 },
      { name: 'our HTTP layer', shareOfBusy: 4 / 8 },
    ]);
    expect(summary.byPackage.find((p) => p.name === 'node (core)')?.share).toBeCloseTo(0.7, 5);
  });

  it('keeps only the last seconds when asked, leaving start-up out', () => {
    const summary = summariseCpuProfile(writeProfile(), { lastSeconds: 0.006, stages });
    expect(summary.samples).toBe(6);
    expect(summary.seconds).toBeCloseTo(0.006, 9);
    expect(summary.byFunction.map((f) => f.name)).not.toContain(expect.stringContaining('loadModules'));
    expect(summary.stages[0]?.shareOfBusy).toBe(3 / 4);
  });
});
