import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { QualityMetrics } from '../../gateway/quality/quality-metrics.js';
import { QualityStore } from '../../gateway/quality/quality-store.js';
import { packageRoot } from '../../schemas/schema-files.js';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const file = join(packageRoot(), 'docs', 'operations', 'prometheus-recording-rules.yaml');
const rules = (parseYaml(readFileSync(file, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);

/** The metric names the gateway exports, from a registry the quality metrics were registered in. */
async function exportedNames(): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), 'gccgw-rules-'));
  try {
    const store = QualityStore.open({ dir });
    const registry = new Registry();
    const metrics = new QualityMetrics(registry, { slos: [{ service: 'mawared', availabilityTarget: 0.995, latencyP95TargetMillis: 800, errorBudgetPeriodDays: 30 }], store: () => store });
    metrics.call('mawared', 'QA', 'failure', 12);
    metrics.probe({ service: 'mawared', at: 0, ok: true, latencyMillis: 3, codes: [] });
    const names = new Set<string>();
    for (const line of (await registry.metrics()).split('\n')) {
      const name = /^([a-z0-9_:]+)[{ ]/.exec(line)?.[1];
      if (name !== undefined) names.add(name);
    }
    store.close();
    return names;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('docs/operations/prometheus-recording-rules.yaml', () => {
  it('uses only metrics the gateway exports, and only recorded series that a rule defines', async () => {
    const exported = await exportedNames();
    const recorded = new Set(rules.flatMap((r) => (r.record !== undefined ? [r.record] : [])));
    const used = new Set(rules.flatMap((r) => [...r.expr.matchAll(/\b(gccgw_[a-z0-9_:]+)/g)].map((m) => m[1] as string)));
    expect(used.size).toBeGreaterThan(8);
    const unknown = [...used].filter((name) => (name.includes(':') ? !recorded.has(name) : !exported.has(name)));
    expect(unknown).toEqual([]);
  });

  it('records the failure ratio and the burn rate for every window the alerts pair', () => {
    const recorded = new Set(rules.flatMap((r) => (r.record !== undefined ? [r.record] : [])));
    for (const window of ['5m', '30m', '1h', '6h', '3d']) {
      expect(recorded).toContain(`gccgw_quality:call_failure_ratio:rate${window}`);
      expect(recorded).toContain(`gccgw_quality:error_budget_burn_rate:rate${window}`);
    }
    expect(recorded).toContain('gccgw_quality:availability:ratio_rate30d');
    expect(recorded).toContain('gccgw_quality:call_duration_seconds:p95_rate5m');
  });

  it('alerts on the SRE workbook\u2019s burn rates, each long window paired with a short one, with a severity and a summary', () => {
    const alerts = rules.filter((r) => r.alert !== undefined);
    const burn = (name: string): string => alerts.find((a) => a.alert === name)?.expr.replace(/\s+/g, ' ') ?? '';
    expect(burn('GccgwErrorBudgetFastBurn')).toMatch(/rate1h > 14\.4 and on \(service, state\) \S+rate5m > 14\.4/);
    expect(burn('GccgwErrorBudgetSlowBurn')).toMatch(/rate6h > 6 and on \(service, state\) \S+rate30m > 6/);
    expect(burn('GccgwErrorBudgetSteadyBurn')).toMatch(/rate3d > 1 and on \(service, state\) \S+rate6h > 1/);
    for (const alert of alerts) {
      expect(['page', 'ticket']).toContain(alert.labels?.['severity']);
      expect(alert.annotations?.['summary']).toBeTruthy();
    }
  });
});
