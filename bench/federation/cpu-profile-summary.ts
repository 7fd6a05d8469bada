/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, the `.cpuprofile` JSON of the Chrome DevTools
 * protocol: `nodes[]` with `callFrame`, `children` and `hitCount`, `samples[]`, `timeDeltas[]`):
 * self time per function and per package, as shares of all samples, and the inclusive time of named
 * stages (any frame on the sampled stack matches) as shares of the busy (non-idle) samples.
 * `lastSeconds` keeps only the samples of the end of the profile: the measured load, without start-up
 * (module loading, a demo PKI generated on first start).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  /** Microseconds between samples, the first from startTime. */
  readonly timeDeltas?: readonly number[];
}

/** A part of the work, recognised by any frame of a sampled stack: `frame` is tested against `<function name> <url>`. */
export interface ProfileStage {
  readonly name: string;
  readonly frame: RegExp;
}

export interface StageTime {
  readonly name: string;
  /** Share of the busy (non-idle) samples whose stack holds a matching frame, 0..1. */
  readonly shareOfBusy: number;
}

export interface SummariseOptions {
  /** @default 25 */
  readonly top?: number;
  /** Only the samples of the last seconds of the profile (needs `samples` and `timeDeltas`). */
  readonly lastSeconds?: number;
  readonly stages?: readonly ProfileStage[];
}

export interface SelfTime {
  readonly name: string;
  /** Share of all samples, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly seconds: number;
  readonly samples: number;
  /** Share of the summarised samples that were not idle. */
  readonly busyShare: number;
  readonly byFunction: SelfTime[];
  readonly byPackage: SelfTime[];
  readonly stages: StageTime[];
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

export function summariseCpuProfile(file: string, options: SummariseOptions = {}): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Hits per node: from the samples inside the window, or the profile's own counts without one.
  const hits = new Map<number, number>();
  let seconds = (profile.endTime - profile.startTime) / 1e6;
  if (profile.samples !== undefined && profile.timeDeltas !== undefined) {
    const from = options.lastSeconds !== undefined ? profile.endTime - options.lastSeconds * 1e6 : -Infinity;
    if (options.lastSeconds !== undefined) seconds = Math.min(seconds, options.lastSeconds);
    let time = profile.startTime;
    profile.samples.forEach((id, index) => {
      time += profile.timeDeltas?.[index] ?? 0;
      if (time > from) hits.set(id, (hits.get(id) ?? 0) + 1);
    });
  } else {
    for (const node of profile.nodes) if ((node.hitCount ?? 0) > 0) hits.set(node.id, node.hitCount ?? 0);
  }
  const total = [...hits.values()].reduce((sum, n) => sum + n, 0);
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let idle = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += count;
    const short = url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/');
    const name = `${functionName || '(anonymous)'} ${short === '' ? '' : `${short}:${lineNumber + 1}`}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + count);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + count);
  }
  const rank = (map: Map<string, number>): SelfTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, count]) => ({ name, share: total > 0 ? count / total : 0 }));

  const stages = options.stages ?? [];
  const stageHits = stages.map(() => 0);
  if (stages.length > 0) {
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    for (const [id, count] of hits) {
      const matched = stages.map(() => false);
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame;
        if (frame === undefined) continue;
        const label = `${frame.functionName} ${frame.url}`;
        stages.forEach((stage, index) => {
          if (!matched[index] && stage.frame.test(label)) matched[index] = true;
        });
      }
      matched.forEach((yes, index) => {
        if (yes) stageHits[index] = (stageHits[index] ?? 0) + count;
      });
    }
  }
  const busy = total - idle;
  return {
    seconds,
    samples: total,
    busyShare: total > 0 ? busy / total : 0,
    byFunction: rank(functions),
    byPackage: rank(packages),
    stages: stages.map((stage, index) => ({ name: stage.name, shareOfBusy: busy > 0 ? (stageHits[index] ?? 0) / busy : 0 })),
  };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [`${summary.samples} samples over ${summary.seconds.toFixed(1)} s, ${(summary.busyShare * 100).toFixed(0)}% busy; self time:`, '', 'by package:'];
  for (const entry of summary.byPackage) lines.push(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  lines.push('', 'by function:');
  for (const entry of summary.byFunction) lines.push(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  if (summary.stages.length > 0) {
    lines.push('', 'stages, inclusive (share of busy samples; a sample may count in several):');
    for (const stage of summary.stages) lines.push(`  ${(stage.shareOfBusy * 100).toFixed(1).padStart(5)}%  ${stage.name}`);
  }
  return lines.join('\n');
}
