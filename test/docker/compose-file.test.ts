import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../schemas/schema-files.js';

/**
 * The container files, checked without a container engine (none is installed on the build
 * machines): the compose file parses, every gccgw command it runs exists in our CLI, and the
 * Dockerfile keeps its promises (multi-stage, production dependencies only, non-root, health check).
 */
const ROOT = packageRoot();
const BIN = join(ROOT, 'bin', 'gccgw.js');

interface Service {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');

/** The gccgw invocations of a service: its command, or `node bin/gccgw.js ...` inside a shell script. */
function gccgwInvocations(service: Service): string[][] {
  if (service.entrypoint?.[0] === '/bin/sh') {
    const script = (service.command ?? []).join(' ');
    return [...script.matchAll(/node bin\/gccgw\.js ([^;|&]+)/g)].map((m) => (m[1] ?? '').trim().split(/\s+/));
  }
  return service.command !== undefined ? [service.command] : [];
}

/** The subcommand path of an argument list: the words before the first option. */
function commandPath(args: readonly string[]): string[] {
  const path: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) break;
    path.push(arg);
  }
  return path;
}

describe('docker/compose.yaml', () => {
  const ours = Object.entries(compose.services).filter(([, s]) => (s.image ?? '').includes('gcc-interop-gateway'));

  it('runs two gateways, both adapters with their sandboxes, a PKI init job, Kafka in KRaft mode and Prometheus', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway-1', 'gateway-2', 'gov-cloud', 'gov-cloud-sandbox', 'init', 'kafka', 'mawared', 'mawared-sandbox', 'prometheus']);
    const kafka = compose.services['kafka'] as Service & { environment: Record<string, unknown> };
    expect(kafka.environment['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    for (const service of Object.values(compose.services)) {
      // Third-party images are pinned to a version, never `latest`.
      expect(service.image ?? '').not.toMatch(/:latest\b|^[^:]+$/);
    }
  });

  it('only runs gccgw commands that exist in the CLI', () => {
    const seen = new Set<string>();
    for (const [, service] of ours) {
      for (const invocation of gccgwInvocations(service)) {
        const path = commandPath(invocation);
        const options = invocation.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] as string);
        const key = path.join(' ');
        const help = spawnSync(process.execPath, [BIN, ...path, '--help'], { encoding: 'utf8', timeout: 30_000 });
        expect({ command: key, status: help.status }).toEqual({ command: key, status: 0 });
        // Commander prints the command's own usage line; an unknown subcommand would print the parent's.
        expect(help.stdout).toContain(`Usage: gccgw ${path.filter((p) => !/^(mawared|gov-cloud)$/.test(p)).join(' ')}`);
        for (const option of options) expect({ command: key, option, known: help.stdout.includes(option) }).toEqual({ command: key, option, known: true });
        seen.add(key);
      }
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining(['adapter serve mawared', 'adapter serve gov-cloud', 'sandbox mawared', 'sandbox gov-cloud', 'start', 'pki init', 'compose']));
  });

  it('starts gateways only after the init job succeeded and the adapters are healthy', () => {
    for (const name of ['gateway-1', 'gateway-2']) {
      const depends = compose.services[name]?.depends_on ?? {};
      expect(depends['init']?.condition).toBe('service_completed_successfully');
      expect(depends['mawared']?.condition).toBe('service_healthy');
      expect(depends['gov-cloud']?.condition).toBe('service_healthy');
    }
  });
});

describe('docker/Dockerfile', () => {
  it('builds in one stage and runs with production dependencies only, as a non-root user, with a health check on /healthz', () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\w+)/gm)].map((m) => m[1]);
    expect(stages).toEqual(['build', 'runtime']);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim$/m);
  });

  it('copies only files that exist in the repository', () => {
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of (match[1] ?? '').split(/\s+/)) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    }
  });
});
