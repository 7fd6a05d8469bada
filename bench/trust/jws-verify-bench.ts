/**
 * Trust benchmarks (issue 3, "Performance"), printed from one run:
 *   1. verify rate of a detached JWS whose chain is cached and already validated, as a ratio to
 *      the raw node:crypto verify rate for the same key type (target: >= 0.8x);
 *   2. cold validation of a 3-certificate chain with cached OCSP answers: the median.
 * Run: npm run build && node dist/bench/trust/jws-verify-bench.js
 */
import { verify as cryptoVerify, createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  initDemoPki, loadDemoPki, RevocationChecker, signDetached, startDemoTrustServices, TrustListHolder, ValidatedChainCache, verifyMemberChain, verifySignature,
  type KeyType, type LoadedIdentity, type SignatureTrust,
  globalFetch,
} from '../../trust/index.js';


/**
 * Throughput with `concurrency` verifications in flight. jose verifies through WebCrypto, whose
 * work runs on libuv's thread pool, so a server handling concurrent requests (the gateway) is
 * measured with several in flight; the sequential rate is printed too.
 */
async function concurrentRate(label: string, iterations: number, concurrency: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < iterations) await fn();
    }),
  );
  const perSecond = iterations / ((performance.now() - start) / 1000);
  process.stdout.write(`  ${label.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s\n`);
  return perSecond;
}

async function rate(label: string, iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations / 10); i++) await fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  const perSecond = iterations / ((performance.now() - start) / 1000);
  process.stdout.write(`  ${label.padEnd(44)} ${perSecond.toFixed(0).padStart(8)} /s\n`);
  return perSecond;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gccgw-bench-'));
  const manifest = await initDemoPki({ dir: join(dir, 'pki') });
  const pki = await loadDemoPki(manifest);
  const services = await startDemoTrustServices(pki);
  try {
    const holder = new TrustListHolder({ operatorAnchors: [pki.operator.root] });
    await holder.load(pki.signedTrustList);
    const revocation = new RevocationChecker({ fetch: globalFetch, ocspUrlsFor: () => services.ocspUrlsFor(), crlUrlsFor: (c) => services.crlUrlsFor(c) });
    const trust: SignatureTrust = { trustList: () => holder.current(), revocation, chainCache: new ValidatedChainCache() };
    const payload = new TextEncoder().encode(JSON.stringify({ query: '{ employee(id: "1") { name salary } }', variables: { id: '1' } }));
    const cases: Array<[KeyType, LoadedIdentity]> = [
      ['ec-p256', pki.states.QA.agencies[0]?.signing as LoadedIdentity],
      ['ec-p384', pki.states.KW.agencies[0]?.signing as LoadedIdentity],
      ['ed25519', pki.states.AE.agencies[0]?.signing as LoadedIdentity],
    ];
    process.stdout.write('1. Detached JWS verify with a cached, validated chain vs raw node:crypto verify\n');
    for (const [type, id] of cases) {
      const jws = await signDetached({ payload, privateKey: id.key.privateKey, certificates: id.chain, signingTime: new Date() });
      await verifySignature({ jws, payload, trust }); // validates and caches the chain
      const [protectedB64, , signatureB64] = jws.split('.') as [string, string, string];
      const signingInput = Buffer.concat([Buffer.from(`${protectedB64}.`), Buffer.from(payload)]);
      const signature = Buffer.from(signatureB64, 'base64url');
      const key = createPublicKey(id.key.publicKey.export({ format: 'pem', type: 'spki' }));
      const algorithm = type === 'ed25519' ? null : type === 'ec-p384' ? 'sha384' : 'sha256';
      // The machine is shared: raw and ours alternate in rounds, and the median round ratio is reported.
      const ratios: number[] = [];
      const concurrentRatios: number[] = [];
      for (let round = 0; round < 5; round++) {
        const raw = await rate(`${type} raw node:crypto.verify`, 1500, () => {
          if (!cryptoVerify(algorithm, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('raw verify failed');
        });
        const sequential = await rate(`${type} verifySignature, 1 in flight`, 1500, () => verifySignature({ jws, payload, trust }));
        const concurrent = await concurrentRate(`${type} verifySignature, 16 in flight`, 1500, 16, () => verifySignature({ jws, payload, trust }));
        ratios.push(sequential / raw);
        concurrentRatios.push(concurrent / raw);
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
      process.stdout.write(`  ${type} RATIO ours/raw = ${median(ratios).toFixed(2)}x one at a time, ${median(concurrentRatios).toFixed(2)}x with 16 in flight (median of 5 rounds; target >= 0.80x)\n`);
    }

    process.stdout.write('2. Cold validation of a 3-certificate chain with cached OCSP (no chain cache)\n');
    const coldTrust: SignatureTrust = { trustList: () => holder.current(), revocation };
    const chain = (pki.states.QA.agencies[0]?.client as LoadedIdentity).chain;
    await verifyMemberChain({ certificates: chain, trust: coldTrust, purpose: 'clientAuth' }); // fills the OCSP cache
    const samples: number[] = [];
    for (let i = 0; i < 300; i++) {
      const start = performance.now();
      await verifyMemberChain({ certificates: chain, trust: coldTrust, purpose: 'clientAuth' });
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)] ?? 0;
    const p95 = samples[Math.floor(samples.length * 0.95)] ?? 0;
    process.stdout.write(`  median ${median.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms over ${samples.length} runs (ECDSA P-384 root, P-256 intermediate and leaf)\n`);
  } finally {
    await services.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
