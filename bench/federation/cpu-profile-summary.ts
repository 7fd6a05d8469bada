/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, the `.cpuprofile` JSON of the Chrome DevTools
 * protocol: `nodes[]` with `callFrame` and `hitCount`, `samples[]`, `timeDeltas[]`): self time per
 * function and per package, as shares of all samples.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  /** Share of all samples, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly seconds: number;
  readonly samples: number;
  readonly byFunction: SelfTime[];
  readonly byPackage: SelfTime[];
}

/** Where code comes from: an npm package, our own sources, Node's internals, or V8 pseudo-frames. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) {
    const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
    return all[all.length - 1]?.[1] ?? modules[1];
  }
  if (url.startsWith('node:')) return 'node (core)';
  const ours = /\/dist\/([^/]+\/[^/]+)\//.exec(url);
  if (ours?.[1] !== undefined) return `gccgw ${ours[1]}`;
  return url;
}

export function summariseCpuProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
    const name = `${functionName || '(anonymous)'} ${short === '' ? '' : `${short}:${lineNumber + 1}`}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + hits);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + hits);
  }
  const rank = (map: Map<string, number>): SelfTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({ name, share: total > 0 ? hits / total : 0 }));
  return { seconds: (profile.endTime - profile.startTime) / 1e6, samples: total, byFunction: rank(functions), byPackage: rank(packages) };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [`${summary.samples} samples over ${summary.seconds.toFixed(1)} s; self time:`, '', 'by package:'];
  for (const entry of summary.byPackage) lines.push(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  lines.push('', 'by function:');
  for (const entry of summary.byFunction) lines.push(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  return lines.join('\n');
}
