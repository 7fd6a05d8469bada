/**
 * Load on the member-state port, as a member-state system sends it (issue 6, issue 9's "full
 * security on" row): mutual TLS with the agency's client certificate, and every request signed
 * afresh (detached JWS from the trust library's `signHttpRequest`, its own nonce) with the purpose
 * header. The gateway refuses a replayed nonce, so a signed request is sent exactly once.
 *
 * Keeping the client from being the bottleneck on a 2-core machine shared with the gateway:
 * - the load itself is the same autocannon closed loop as every other row (`runLoad`), with the
 *   client certificate on its keep-alive TLS connections and one extra header per request. Each
 *   connection writes the request bytes made here (`PerConnectionHooks`), not ones autocannon
 *   rebuilds from header objects before every send, and response headers are looked at only for
 *   the sampled responses: autocannon's own per-request hooks cost the client ~0.03-0.04 ms of CPU
 *   per request, on the cores the gateway uses too, which no other row pays;
 * - signatures are made *before the clock starts*: a pool of (expected requests per second x
 *   duration x headroom) signed requests, sized from the best rate this generator has seen for the
 *   same body, and never from less than a generous floor (2,000 per second: a short warm-up on a
 *   cold gateway measures a low rate). If the gateway is faster than expected, the
 *   pool is topped up in small batches during the run; those signatures are counted and reported
 *   (`signedDuringRun`), since they took CPU from the measured time. Leftovers are thrown away,
 *   never reused. Signing cost per request (client CPU time) is measured while pre-signing and
 *   reported beside the row, not charged to the gateway;
 * - every response's status and error-freeness is checked (cheap string checks), but response
 *   signatures are verified only on a sample (every `verifyEvery`-th response), *after* the clock
 *   stops.
 *
 * The run fails (throws) if any response is not a 200 without errors, if any sampled response's
 * signature does not verify against the trust list or names another request, or if the pool ran
 * dry. autocannon does not check the server certificate (it sets rejectUnauthorized: false); the
 * single requests (`check`, `send`) do, with every member state's root as the CA bundle, and the
 * sampled response signatures prove which gateway answered.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  keyPairFromPem,
  parseCertificate,
  pemToDer,
  pemToDerList,
  readDemoPkiManifest,
  signHttpRequest,
  TrustListHolder,
  ValidatedChainCache,
  verifyHttpResponse,
  type MemberState,
  type SignatureTrust,
  type Signer,
} from '../../trust/index.js';
import { BENCH_HEADERS, BENCH_PURPOSE, runLoad, type LoadOptions, type LoadResult } from './load-generator.js';

/** The request header carrying the detached JWS, and the response headers (gateway/access/member-request-verifier.ts). */
const SIGNATURE_HEADER = 'x-gccgw-signature';
const REQUEST_HASH_HEADER = 'x-gccgw-request-hash';

/** A member-state system's credentials and what it trusts. */
export interface MemberClient {
  readonly clientId: string;
  /** TLS client key and chain (PEM, client certificate first). */
  readonly tls: { readonly key: string; readonly cert: string };
  readonly signer: Signer;
  /** Every member state's root (PEM): what the gateway's server certificate must chain to. */
  readonly ca: string;
  /** How the client checks the gateway's response signatures. */
  readonly responseTrust: SignatureTrust;
  /** The ClientId the gateway signs as. */
  readonly gatewayClientId: string;
}

/**
 * The first agency of `state` in a demo PKI (`gccgw pki init`, or the one a gateway generates on
 * first start), and the gateway of `gatewayState` as the expected signer of responses.
 */
export async function memberClientFromDemoPki(pkiDir: string, state: MemberState = 'QA', gatewayState: MemberState = 'QA'): Promise<MemberClient> {
  const manifest = await readDemoPkiManifest(pkiDir);
  const agency = manifest.states[state].agencies.find((a) => a.revoked !== true);
  if (agency === undefined) throw new Error(`the demo PKI in ${pkiDir} has no unrevoked agency in ${state}`);
  const gatewayClientId = manifest.states[gatewayState].gateway?.clientId;
  if (gatewayClientId === undefined) throw new Error(`the demo PKI in ${pkiDir} has no gateway identity in ${gatewayState}`);
  const holder = new TrustListHolder({ operatorAnchors: [pemToDer(readFileSync(manifest.operator.rootCert, 'utf8'))] });
  await holder.loadFile(manifest.trustList.signed);
  return {
    clientId: agency.clientId,
    tls: { key: readFileSync(agency.clientKey, 'utf8'), cert: readFileSync(agency.clientChain, 'utf8') },
    signer: { privateKey: keyPairFromPem(readFileSync(agency.signingKey, 'utf8')).privateKey, certificates: pemToDerList(readFileSync(agency.signingChain, 'utf8')).map(parseCertificate) },
    ca: Object.values(manifest.states).map((s) => readFileSync(s.rootCert, 'utf8')).join(''),
    // The chain is validated against the signed trust list. Revocation of the gateway's own key is
    // not checked here: the demo OCSP responder runs inside the gateway being measured, so asking it
    // would add load to the process under test (examples/member-client.mjs shows a RevocationChecker).
    responseTrust: { trustList: () => holder.current(), revocation: 'none', chainCache: new ValidatedChainCache() },
    gatewayClientId,
  };
}

/** One signed request, ready to send once. */
export interface SignedRequest {
  /** The headers to add: signature and purpose. */
  readonly headers: Readonly<Record<string, string>>;
  /** base64url SHA-256 of the JWS: what the gateway's signed response must name. */
  readonly requestHash: string;
  readonly nonce: string;
}

export interface SignedResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface SignedLoadGeneratorOptions {
  /** The member port's GraphQL URL (https). */
  readonly url: string;
  readonly member: MemberClient;
  /** @default BENCH_PURPOSE */
  readonly purpose?: string;
  /** Verify the signature of every n-th response. @default 50 */
  readonly verifyEvery?: number;
  /** Pool size = expected rate x duration x headroom (+ 8 per connection). @default 2 */
  readonly headroom?: number;
  /**
   * The least rate a pool is sized for, also before this generator has measured one for a body.
   * A warm-up on a cold gateway (or one that signed during its clock) sees a rate below what the
   * measured runs reach, and a pool sized from it would make the first measured run sign during
   * the clock; signing too many ahead costs only time before the clock.
   * @default 2000
   */
  readonly initialRequestsPerSecond?: number;
}

/** What the client spent, reported beside the gateway's figures (never charged to the gateway). */
export interface SignedClientCost {
  /** Signatures made before the clock started. */
  readonly presigned: number;
  /** Signatures made while the clock ran (pool top-ups): client CPU inside the measured time. */
  readonly signedDuringRun: number;
  /** Signed but never sent; thrown away, never reused. */
  readonly unused: number;
  /** Client CPU time per signature (signHttpRequest), measured while pre-signing. */
  readonly signMicros: number;
  /** Responses whose signature was verified. */
  readonly verifiedResponses: number;
  /** Client CPU time per response verification (verifyHttpResponse and the data check), after the clock. */
  readonly verifyMicros: number;
}

export interface SignedLoadResult extends LoadResult {
  readonly client: SignedClientCost;
}

export interface SignedLoadOptions extends Omit<LoadOptions, 'url' | 'tls' | 'perRequest' | 'signal'> {
  /** Checks a sampled answer's data (e.g. the scenario's expected data); throws with a reason. */
  readonly verifyAnswer?: ((answer: { data?: unknown; errors?: unknown }) => void) | undefined;
}

/** A signed request made ahead of time; `take` is synchronous because autocannon asks for the next request synchronously. */
class SignedRequestPool {
  readonly #sign: () => Promise<SignedRequest>;
  #items: SignedRequest[] = [];
  #next = 0;
  #topUp: Promise<void> | undefined;
  presigned = 0;
  signedDuringRun = 0;
  #signCpuMicros = 0;
  #signCount = 0;

  constructor(sign: () => Promise<SignedRequest>) {
    this.#sign = sign;
  }

  get remaining(): number {
    return this.#items.length - this.#next;
  }

  /**
   * Mean client CPU time per signature over the pre-signing (CPU, not wall-clock time: on a shared
   * machine the latter mostly measures waiting for a core).
   */
  get signMicros(): number {
    return this.#signCount === 0 ? Number.NaN : this.#signCpuMicros / this.#signCount;
  }

  async fill(count: number): Promise<void> {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) this.#items.push(await this.#sign());
    const used = process.cpuUsage(before);
    this.#signCpuMicros += used.user + used.system;
    this.#signCount += count;
    this.presigned += count;
  }

  take(): SignedRequest | undefined {
    const item = this.#items[this.#next];
    if (item === undefined) return undefined;
    this.#next += 1;
    return item;
  }

  /**
   * Signs `count` more in batches of 16, yielding to the event loop between batches so the load
   * keeps flowing. Only one top-up runs at a time.
   */
  topUp(count: number): void {
    if (this.#topUp !== undefined) return;
    this.#topUp = (async () => {
      // Drop what was sent, so a long run does not keep every signature alive.
      this.#items = this.#items.slice(this.#next);
      this.#next = 0;
      for (let done = 0; done < count; done++) {
        this.#items.push(await this.#sign());
        this.signedDuringRun += 1;
        if (done % 16 === 15) await nextTurn();
      }
    })().finally(() => {
      this.#topUp = undefined;
    });
  }

  /** Waits for a running top-up (after the clock). */
  async settled(): Promise<void> {
    await this.#topUp;
  }
}

interface Sample {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[]>;
  readonly requestHash: string;
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

export class SignedLoadGenerator {
  readonly url: string;
  readonly #member: MemberClient;
  readonly #purpose: string;
  readonly #pathAndQuery: string;
  /** `host:port` as autocannon writes it in the Host header. */
  readonly #host: string;
  readonly #verifyEvery: number;
  readonly #headroom: number;
  readonly #initialRate: number;
  /** The highest rate seen per request body: sizes the next pool. */
  readonly #rates = new Map<string, number>();

  constructor(options: SignedLoadGeneratorOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'https:') throw new TypeError(`the member port is https, got ${options.url}`);
    this.url = options.url;
    this.#member = options.member;
    this.#purpose = options.purpose ?? BENCH_PURPOSE;
    this.#pathAndQuery = `${url.pathname}${url.search}`;
    this.#host = url.host;
    this.#verifyEvery = options.verifyEvery ?? 50;
    this.#headroom = options.headroom ?? 2;
    this.#initialRate = options.initialRequestsPerSecond ?? 2000;
    if (!Number.isInteger(this.#verifyEvery) || this.#verifyEvery < 1) throw new TypeError('verifyEvery must be a positive integer');
  }

  /** Signs one request for `body` (fresh nonce, signing time now). Send it once. */
  async sign(body: string | Uint8Array): Promise<SignedRequest> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const signed = await signHttpRequest({ signer: this.#member.signer, method: 'POST', pathAndQuery: this.#pathAndQuery, body: bytes, purpose: this.#purpose, clientId: this.#member.clientId });
    return { headers: { [SIGNATURE_HEADER]: signed.signature, 'x-gccgw-purpose': this.#purpose }, requestHash: signed.requestHash, nonce: signed.nonce };
  }

  /**
   * One request over mutual TLS on a connection of its own, the server certificate checked against
   * the member states' roots (and the host name, RFC 6125); signed afresh unless `signed` is given.
   * Never throws on 4xx/5xx.
   */
  async send(body: string, signed?: SignedRequest): Promise<SignedResponse> {
    const toSend = signed ?? (await this.sign(body));
    const { ca, tls } = this.#member;
    return new Promise((resolve, reject) => {
      const req = request(this.url, { method: 'POST', agent: false, ca, key: tls.key, cert: tls.cert, headers: { ...BENCH_HEADERS, ...toSend.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * One signed request whose response must be a 200 signed by the gateway and bound to it; returns
   * the parsed answer (for the harness's check of the expected data).
   */
  async check(body: string): Promise<{ data?: unknown; errors?: unknown }> {
    const signed = await this.sign(body);
    const response = await this.send(body, signed);
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.text.slice(0, 300)}`);
    await this.#verifyResponse({ status: response.status, body: response.text, headers: response.headers as Record<string, string | string[]>, requestHash: signed.requestHash });
    return JSON.parse(response.text) as { data?: unknown; errors?: unknown };
  }

  /** A measured run (see the file comment): `prepare`, then start the clock at once. */
  async run(options: SignedLoadOptions): Promise<SignedLoadResult> {
    return (await this.prepare(options))();
  }

  /**
   * Signs the pool for a run and returns the function that starts its clock, so that a harness can
   * read the gateway's CPU time after the signing and right before the load. The returned run
   * throws if any response was wrong, any sampled signature did not verify, or the pool ran dry.
   */
  async prepare(options: SignedLoadOptions): Promise<() => Promise<SignedLoadResult>> {
    if (options.requests === undefined && options.durationSeconds > 240) {
      // Pre-signed requests must still be fresh at the end (the gateway's clock-skew window, 300 s by default).
      throw new TypeError('signed runs are limited to 240 s: signatures made before the clock must still be fresh at its end');
    }
    const expected = Math.max(this.#rates.get(options.body) ?? 0, this.#initialRate);
    const poolSize =
      options.requests !== undefined ? options.requests + 2 * options.connections : Math.ceil(expected * options.durationSeconds * this.#headroom) + 8 * options.connections;
    // A run of a fixed number of requests has them all signed ahead; a timed one tops up when fewer
    // than a fifth (and at least 4 per connection) are left, i.e. never before the expected count
    // times the headroom has been sent.
    const lowWater = options.requests !== undefined ? 0 : Math.max(4 * options.connections, Math.ceil(poolSize / 5));
    const pool = new SignedRequestPool(() => this.sign(options.body));
    await pool.fill(poolSize);
    return () => this.#start(options, pool, lowWater, expected);
  }

  async #start(options: SignedLoadOptions, pool: SignedRequestPool, lowWater: number, expected: number): Promise<SignedLoadResult> {
    let responses = 0;
    let exhausted = false;
    const wrong: string[] = [];
    let wrongCount = 0;
    const samples: Sample[] = [];
    const abort = new AbortController();
    // The request bytes around the signature header, the same for every request of the run; the
    // header names and order are those of autocannon's own requests (Host, Connection, then ours).
    const bodyBytes = Buffer.from(options.body, 'utf8');
    const head = `POST ${this.#pathAndQuery} HTTP/1.1\r\nHost: ${this.#host}\r\nConnection: keep-alive\r\n`;
    const tail = `Content-Length: ${bodyBytes.length}\r\n\r\n`;
    const wire = (headers: Readonly<Record<string, string>>): Buffer => {
      let text = head;
      for (const [name, value] of Object.entries({ ...BENCH_HEADERS, ...headers })) text += `${name}: ${value}\r\n`;
      text += tail;
      const bytes = Buffer.allocUnsafe(text.length + bodyBytes.length);
      bytes.write(text, 0, 'latin1');
      bodyBytes.copy(bytes, text.length);
      return bytes;
    };
    // Never resend a signature: once the pool is dry, requests go unsigned (refused), and the run fails below.
    const unsigned = wire({ 'x-gccgw-purpose': this.#purpose });
    // The signed request in flight on each connection (one at a time: no pipelining).
    const inFlight: Array<SignedRequest | undefined> = [];
    const load = await runLoad({
      url: this.url,
      body: options.body,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      requests: options.requests,
      tls: this.#member.tls,
      signal: abort.signal,
      perConnection: {
        nextRequest: (connection) => {
          if (pool.remaining < lowWater) pool.topUp(lowWater * 2);
          const next = pool.take();
          inFlight[connection] = next;
          if (next === undefined) {
            exhausted = true;
            abort.abort();
            return unsigned;
          }
          return wire(next.headers);
        },
        onResponse: (connection, status, body, rawHeaders) => {
          responses += 1;
          if (status !== 200 || body.includes('"errors"')) {
            wrongCount += 1;
            if (wrong.length < 3) wrong.push(`HTTP ${status}: ${body.slice(0, 300)}`);
            return;
          }
          if (responses % this.#verifyEvery === 1 || this.#verifyEvery === 1) {
            // A repeated header keeps every value (joined, so a second signature header cannot pass as one).
            const headers: Record<string, string> = {};
            for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
              const name = String(rawHeaders[i]).toLowerCase();
              const value = String(rawHeaders[i + 1]);
              headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
            }
            samples.push({ status, body, headers, requestHash: inFlight[connection]?.requestHash ?? '(no signed request in flight on this connection)' });
          }
        },
      },
    });
    await pool.settled();

    const verifyStarted = process.cpuUsage();
    const badSignatures: string[] = [];
    for (const sample of samples) {
      try {
        await this.#verifyResponse(sample);
        options.verifyAnswer?.(JSON.parse(sample.body) as { data?: unknown; errors?: unknown });
      } catch (error) {
        badSignatures.push((error as Error).message);
      }
    }
    const verifyCpu = process.cpuUsage(verifyStarted);
    const verifyMicros = samples.length === 0 ? Number.NaN : (verifyCpu.user + verifyCpu.system) / samples.length;

    const problems: string[] = [];
    if (exhausted) problems.push(`the pool of ${pool.presigned + pool.signedDuringRun} signed requests ran dry (the gateway answered faster than ${this.#headroom}x the expected ${expected.toFixed(0)} req/s and the top-ups could not keep up)`);
    if (wrongCount > 0) problems.push(`${wrongCount} of ${responses} responses were not a 200 without errors, e.g. ${wrong.join(' | ')}`);
    if (load.errors > 0) problems.push(`${load.errors} connection errors or timeouts`);
    if (badSignatures.length > 0) problems.push(`${badSignatures.length} of ${samples.length} sampled responses failed verification: ${badSignatures.slice(0, 3).join(' | ')}`);
    if (samples.length === 0 && responses > 0) problems.push('no response was sampled for signature verification');
    if (problems.length > 0) throw new Error(`signed load on ${this.url} failed: ${problems.join('; ')}`);

    // The next pool is sized from the best rate seen (a run without any answer in time says nothing).
    if (options.requests === undefined && load.requests > 0) this.#rates.set(options.body, Math.max(this.#rates.get(options.body) ?? 0, load.requestsPerSecond));
    return {
      ...load,
      client: {
        presigned: pool.presigned,
        signedDuringRun: pool.signedDuringRun,
        unused: pool.remaining,
        signMicros: pool.signMicros,
        verifiedResponses: samples.length,
        verifyMicros,
      },
    };
  }

  async #verifyResponse(sample: Sample): Promise<void> {
    const named = headerValue(sample.headers, REQUEST_HASH_HEADER);
    if (named !== sample.requestHash) throw new Error(`the response names request ${named ?? '(none)'}, not ${sample.requestHash}`);
    const signature = headerValue(sample.headers, SIGNATURE_HEADER);
    if (signature === undefined) throw new Error('the response is not signed');
    // autocannon decodes each body chunk as UTF-8 on its own: exact for the fixture's ASCII answers.
    const verified = await verifyHttpResponse({ signature, status: sample.status, body: Buffer.from(sample.body, 'utf8'), requestHash: sample.requestHash, trust: this.#member.responseTrust });
    if (verified.identity.clientId !== this.#member.gatewayClientId) throw new Error(`the response is signed by ${verified.identity.clientId}, not the gateway ${this.#member.gatewayClientId}`);
  }
}
