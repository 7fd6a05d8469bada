/**
 * Trust benchmarks (issue 3, "Performance"), printed from one run:
 *   1. verify rate of a detached JWS whose chain is cached and already validated, as a ratio to
 *      the raw node:crypto verify rate for the same key type (target: >= 0.8x), for distinct signed
 *      requests (as the gateway sees them) and for one JWS repeated, per wall-clock and per CPU second;
 *   2. cold validation of a 3-certificate chain with cached OCSP answers: the median.
 * Run: npm run build && node dist/bench/trust/jws-verify-bench.js [--rounds N] [--seconds S] [--algorithms PS256,ES256]
 */
import { verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  initDemoPki, issueCertificate, loadDemoPki, RevocationChecker, REQUEST_CRIT, signHttpRequest, startDemoTrustServices, TrustListHolder, ValidatedChainCache, x5tS256,
  verifyMemberChain, verifySignature,
  type JwsAlgorithm, type KeyPair, type ParsedCertificate, type SignatureTrust,
  globalFetch,
} from '../../trust/index.js';
import { reportComponentResult, type ComponentFigure } from '../component-result.js';

/** One measurement: operations per wall-clock second and per CPU second of this process. */
interface Rate {
  readonly wall: number;
  readonly cpu: number;
}

interface Side {
  /** Calls in flight at once. */
  readonly concurrency: number;
  readonly fn: (i: number) => unknown;
}

/**
 * Runs every side for about `seconds` in all, in slices of 20 ms taken in turn (raw, ours, raw,
 * ours, ...), so a burst of load from another process on this shared machine hits all sides alike
 * instead of one whole measurement. Wall time and CPU time (process.cpuUsage: all threads of this
 * process, so GC and the libuv pool count too) are summed per side; CPU seconds per verification
 * move much less under load than wall time. jose verifies through WebCrypto on the thread pool, so
 * a server handling concurrent requests (the gateway) is measured with 16 in flight too.
 */
async function interleaved(seconds: number, sides: readonly Side[]): Promise<Rate[]> {
  const totals = sides.map(() => ({ done: 0, wallMs: 0, cpuMicros: 0 }));
  const runSlice = async (side: Side, total: { done: number; wallMs: number; cpuMicros: number }, sliceMs: number): Promise<void> => {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const deadline = start + sliceMs;
    await Promise.all(
      Array.from({ length: side.concurrency }, async () => {
        while (performance.now() < deadline) {
          for (let k = 0; k < 10; k++) {
            const result = side.fn(total.done++);
            // Synchronous functions are not awaited, so the raw loop pays no microtask per call.
            if (result instanceof Promise) await result;
          }
        }
      }),
    );
    total.wallMs += performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    total.cpuMicros += cpu.user + cpu.system;
  };
  // Warm-up slice per side, not counted.
  for (const side of sides) await runSlice(side, { done: 0, wallMs: 0, cpuMicros: 0 }, 20);
  const end = performance.now() + seconds * 1000 * sides.length;
  while (performance.now() < end) {
    for (let s = 0; s < sides.length; s++) await runSlice(sides[s] as Side, totals[s] as { done: number; wallMs: number; cpuMicros: number }, 20);
  }
  return totals.map((t) => ({ wall: t.done / (t.wallMs / 1000), cpu: t.done / (t.cpuMicros / 1e6) }));
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (r: Rate): string => `${r.wall.toFixed(0).padStart(6)}/s (${r.cpu.toFixed(0).padStart(6)}/cpu-s)`;

interface Case {
  readonly label: string;
  readonly algorithm: JwsAlgorithm;
  readonly key: KeyPair;
  readonly chain: readonly ParsedCertificate[];
  readonly clientId: string;
}

/**
 * A JWS as the gateway receives it: node:http hands header values over as flat one-byte strings,
 * while a string built by concatenation (as signDetached returns it) is a rope, on which some string
 * operations (Buffer.byteLength, for one) take a slower path. Verified after a Buffer round trip.
 */
const asReceived = (jws: string): string => Buffer.from(jws, 'latin1').toString('latin1');

/** The same verification through node:crypto alone, given the signing input and signature bytes. */
function rawVerifier(alg: JwsAlgorithm, key: KeyObject): (input: Buffer, signature: Buffer) => boolean {
  switch (alg) {
    case 'ES256':
      return (input, signature) => cryptoVerify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'ES384':
      return (input, signature) => cryptoVerify('sha384', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return (input, signature) => cryptoVerify(null, input, key, signature);
    case 'PS256':
      return (input, signature) => cryptoVerify('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'RS256':
      return (input, signature) => cryptoVerify('sha256', input, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '0.5' }, algorithms: { type: 'string', default: 'ES256,ES384,EdDSA,PS256' } } });
  const rounds = Number(args.rounds);
  const seconds = Number(args.seconds);
  const algorithms = new Set(args.algorithms.split(','));
  const dir = await mkdtemp(join(tmpdir(), 'gccgw-bench-'));
  const manifest = await initDemoPki({ dir: join(dir, 'pki') });
  const pki = await loadDemoPki(manifest);
  const services = await startDemoTrustServices(pki);
  try {
    const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root] });
    await holder.load(pki.signedTrustList);
    const revocation = new RevocationChecker({ fetch: globalFetch, ocspUrlsFor: () => services.ocspUrlsFor(), crlUrlsFor: (c) => services.crlUrlsFor(c) });
    const trust: SignatureTrust = {
      trustList: () => holder.current(),
      revocation,
      chainCache: new ValidatedChainCache(),
      algorithms: ['ES256', 'ES384', 'PS256', 'EdDSA'],
    };
    const payload = new TextEncoder().encode(JSON.stringify({ query: '{ employee(id: "1") { name salary } }', variables: { id: '1' } }));
    const agency = (state: 'QA' | 'KW' | 'AE', label: string, algorithm: JwsAlgorithm): Case => {
      const id = pki.states[state].agencies[0]?.signing;
      if (!id) throw new Error(`no ${state} agency in the demo PKI`);
      return { label, algorithm, key: id.key, chain: id.chain, clientId: id.clientId };
    };
    // The demo PKI has no RSA signing leaf: issue one under SA's RSA intermediate with the SA gateway's RSA-2048 key.
    const sa = pki.states.SA;
    const rsaKey = sa.gateway?.server.key as KeyPair;
    const rsaLeaf = await issueCertificate({
      subject: 'C=SA, O=MHRSD, CN=bench rsa signer', subjectKey: rsaKey, issuer: { certificate: sa.intermediate.certificate, key: sa.intermediate.key },
      profile: 'signing', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), rsaScheme: 'pss',
      subjectAltNames: { uri: ['urn:gcc:client:SA:GOV:MHRSD:bench'] },
    });
    const cases: Case[] = [
      agency('QA', 'ES256 (P-256)', 'ES256'),
      agency('KW', 'ES384 (P-384)', 'ES384'),
      agency('AE', 'EdDSA (Ed25519)', 'EdDSA'),
      { label: 'PS256 (RSA-2048)', algorithm: 'PS256' as const, key: rsaKey, chain: [rsaLeaf, sa.intermediate.certificate], clientId: 'GCC:SA:GOV:MHRSD:bench' },
    ].filter((c) => algorithms.has(c.algorithm));
    process.stdout.write(`1. Detached JWS verify with a cached, validated chain vs raw node:crypto verify (${rounds} rounds; in each, every measurement runs ${seconds} s in 20 ms slices taken in turn)\n`);
    process.stdout.write('   distinct: a different signed request each time (fresh sigT-style header, nonce), as the gateway sees them;\n');
    process.stdout.write('   same: one JWS verified over and over (what this benchmark measured before)\n');
    const summary: string[] = [];
    const figures: ComponentFigure[] = [];
    for (const c of cases) {
      const signer = { privateKey: c.key.privateKey, certificates: c.chain };
      const distinct: string[] = [];
      // Signed HTTP requests for every algorithm (an RSA key signs PS256): the header the member port verifies.
      for (let i = 0; i < 1000; i++) {
        distinct.push(asReceived((await signHttpRequest({ signer, method: 'POST', pathAndQuery: '/graphql', body: payload, purpose: 'bench', clientId: c.clientId })).signature));
      }
      const crit = REQUEST_CRIT;
      const same = distinct[0] as string;
      const verified = await verifySignature({ jws: same, payload, trust, crit }); // validates and caches the chain
      if (verified.header.alg !== c.algorithm) throw new Error(`${c.label} signed ${String(verified.header.alg)}`);
      // The very KeyObject the cached path verifies with: that of the signer certificate the cache holds.
      const cachedSigner = trust.chainCache?.getParsed(x5tS256((c.chain[0] as ParsedCertificate).der))?.certificates[0];
      if (!cachedSigner) throw new Error(`${c.label}: the signer is not in the cache`);
      const verifyRaw = rawVerifier(c.algorithm, cachedSigner.publicKey());
      process.stdout.write(`  ${c.label.padEnd(17)} ${same.indexOf('.')} characters of protected header (x5c of ${c.chain.length} certificates), ${payload.length} bytes of payload\n`);
      const raw = distinct.map((jws) => {
        const [protectedB64, , signatureB64] = jws.split('.') as [string, string, string];
        return { input: Buffer.concat([Buffer.from(`${protectedB64}.`), Buffer.from(payload)]), signature: Buffer.from(signatureB64, 'base64url') };
      });
      const ratios = { distinct: [] as number[], distinct16: [] as number[], same: [] as number[], distinctCpu: [] as number[] };
      // The machine is shared: raw and ours alternate in slices within each round, and the median round ratio is reported.
      for (let round = 0; round < rounds; round++) {
        const oursDistinct = (i: number): Promise<unknown> => verifySignature({ jws: distinct[i % distinct.length] as string, payload, trust, crit });
        const [rawRate, ours, ours16, oursSame] = (await interleaved(seconds, [
          {
            concurrency: 1,
            fn: (i) => {
              const r = raw[i % raw.length] as { input: Buffer; signature: Buffer };
              if (!verifyRaw(r.input, r.signature)) throw new Error('raw verify failed');
            },
          },
          { concurrency: 1, fn: oursDistinct },
          { concurrency: 16, fn: oursDistinct },
          { concurrency: 1, fn: () => verifySignature({ jws: same, payload, trust, crit }) },
        ])) as [Rate, Rate, Rate, Rate];
        process.stdout.write(`  ${c.label.padEnd(17)} raw ${fmt(rawRate)} | ours distinct ${fmt(ours)}, 16 in flight ${fmt(ours16)} | same ${fmt(oursSame)}\n`);
        ratios.distinct.push(ours.wall / rawRate.wall);
        ratios.distinct16.push(ours16.wall / rawRate.wall);
        ratios.same.push(oursSame.wall / rawRate.wall);
        ratios.distinctCpu.push(ours.cpu / rawRate.cpu);
      }
      const line =
        `  ${c.label.padEnd(17)} RATIO ours/raw = ${median(ratios.distinct).toFixed(2)}x distinct one at a time, ${median(ratios.distinct16).toFixed(2)}x distinct 16 in flight, ` +
        `${median(ratios.same).toFixed(2)}x same JWS; per CPU second ${median(ratios.distinctCpu).toFixed(2)}x distinct (median of ${rounds} rounds; target >= 0.80x)\n`;
      summary.push(line);
      figures.push(
        { label: `${c.label}: cached-chain verify / raw node:crypto, distinct JWS one at a time`, value: median(ratios.distinct), unit: 'x raw', target: 0.8 },
        { label: `${c.label}: the same, 16 in flight`, value: median(ratios.distinct16), unit: 'x raw' },
        { label: `${c.label}: the same, per CPU second`, value: median(ratios.distinctCpu), unit: 'x raw' },
      );
      process.stdout.write(line);
    }
    process.stdout.write(summary.join(''));

    process.stdout.write('2. Cold validation of a 3-certificate chain with cached OCSP (no chain cache)\n');
    const coldTrust: SignatureTrust = { trustList: () => holder.current(), revocation };
    const chain = (pki.states.QA.agencies[0]?.client as { chain: readonly ParsedCertificate[] }).chain;
    await verifyMemberChain({ certificates: chain, trust: coldTrust, purpose: 'clientAuth' }); // fills the OCSP cache
    const samples: number[] = [];
    for (let i = 0; i < 300; i++) {
      const start = performance.now();
      await verifyMemberChain({ certificates: chain, trust: coldTrust, purpose: 'clientAuth' });
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const p50 = samples[Math.floor(samples.length / 2)] ?? 0;
    const p95 = samples[Math.floor(samples.length * 0.95)] ?? 0;
    process.stdout.write(`  median ${p50.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms over ${samples.length} runs (ECDSA P-384 root, P-256 intermediate and leaf)\n`);
    figures.push(
      { label: 'cold 3-certificate chain validation with cached OCSP, median', value: p50, unit: 'ms', higherIsBetter: false },
      { label: 'cold 3-certificate chain validation with cached OCSP, p95', value: p95, unit: 'ms', higherIsBetter: false },
    );
    reportComponentResult({ figures, notes: [`${rounds} rounds of ${seconds} s per algorithm; ratios are medians over rounds`] });
  } finally {
    await services.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
