import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { GatewayError } from '../errors/gateway-error.js';

const load = (quality: Record<string, unknown>): ReturnType<typeof loadConfig>['config'] => loadConfig({ env: {}, cwd: '/srv/gccgw', overrides: { quality } }).config;

function refusal(quality: Record<string, unknown>): string {
  try {
    load(quality);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('ERR_CONFIG_INVALID');
    return (error as GatewayError).message;
  }
  throw new Error('expected a refusal');
}

describe('quality configuration', () => {
  it('has demo defaults: SLOs for the gateway, Mawared (also for Qatar) and the government cloud, a probe each, the store under var/quality', () => {
    const { quality } = loadConfig({ env: {}, cwd: '/srv/gccgw' }).config;
    expect(quality.enabled).toBe(true);
    expect(quality.dir).toBe(join('/srv/gccgw', 'var/quality'));
    expect(quality.slos.map((s) => `${s.service}/${s.state ?? '*'}`)).toEqual(['gateway/*', 'mawared/*', 'mawared/QA', 'gov-cloud/*']);
    expect(quality.probes.map((p) => [p.service, p.intervalSeconds, p.timeoutMillis])).toEqual([
      ['mawared', 30, 5000],
      ['gov-cloud', 30, 5000],
    ]);
    expect(quality.feedback.rateLimit).toEqual({ burst: 30, refillPerMinute: 30 });
  });

  it('can be set from the environment', () => {
    const { quality } = loadConfig({ env: { GCCGW_QUALITY__ENABLED: 'false', GCCGW_QUALITY__FEEDBACK__COMMENT_MAX_CHARS: '100' }, cwd: '/srv/gccgw' }).config;
    expect(quality.enabled).toBe(false);
    expect(quality.feedback.commentMaxChars).toBe(100);
  });

  it('refuses a probe that is not exactly one query: probes never change anything', () => {
    expect(refusal({ probes: [{ service: 'mawared', query: 'mutation { requestSecondment(input: {}) { id } }' }] })).toContain('"quality.probes.0.query"');
    expect(refusal({ probes: [{ service: 'mawared', query: '{ a } { b }' }] })).toContain('exactly one operation, a query');
    expect(refusal({ probes: [{ service: 'mawared', query: '{ unclosed' }] })).toContain('quality.probes.0.query');
  });

  it('refuses targets outside (0.5, 1), latency without units, and two SLOs for the same service and state', () => {
    expect(refusal({ slos: [{ service: 'mawared', availabilityTarget: 1, latencyP95TargetMillis: 500 }] })).toContain('quality.slos.0.availabilityTarget');
    expect(refusal({ slos: [{ service: 'mawared', availabilityTarget: 0.99, latencyP95Target: 500 }] })).toContain('unknown key');
    const twice = { service: 'mawared', state: 'QA', availabilityTarget: 0.99, latencyP95TargetMillis: 500 };
    expect(refusal({ slos: [twice, twice] })).toContain('one SLO per service and state');
    expect(refusal({ slos: [{ ...twice, state: 'XX' }] })).toContain('quality.slos.0.state');
  });
});
