import { createPublicKey, sign, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  derToPem,
  globalFetch,
  initDemoPki,
  keyPairFromPem,
  loadDemoPki,
  parseCertificate,
  parseClientUri,
  pemToDer,
  pemToDerList,
  readDemoPkiManifest,
  RevocationChecker,
  startDemoTrustServices,
  systemClock,
  TrustListHolder,
  ValidatedChainCache,
  type Clock,
  type DemoTrustServices,
  type KeyPair,
  type ParsedCertificate,
  type Signer,
  type TrustList,
} from '../../trust/index.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayTrust } from './gateway-trust.js';

/** What the mutual-TLS listener needs: its own key and chain, and the CAs it names to clients. */
export interface GatewayTlsMaterial {
  readonly keyPem: string;
  /** Server certificate first, then its issuers. */
  readonly chainPem: string;
  /** CA certificates of the trust list, sent in the TLS CertificateRequest (RFC 8446 §4.2.4). */
  caPems(): string[];
}

export interface StartedGatewayTrust extends GatewayTrust {
  readonly tls: GatewayTlsMaterial;
  /** The file the trust list is loaded from (watched for changes). */
  readonly trustListFile: string;
  /** Demo mode: the in-process OCSP / CRL / TSA servers. */
  readonly demoServices: DemoTrustServices | undefined;
  close(): Promise<void>;
}

export interface StartGatewayTrustOptions {
  readonly config: GatewayConfig['trust'];
  readonly logger: Logger;
  /** @default system clock */
  readonly clock?: Clock;
  /** How often the trust-list file is checked for a new version. @default 5000 */
  readonly reloadIntervalMillis?: number;
}

/** Loads a PEM signing key and chain, and proves the key belongs to the chain's first certificate. */
export function loadSigner(keyFile: string, chainFile: string): Signer {
  const key = keyPairFromPem(readFileSync(keyFile, 'utf8'));
  const certificates = pemToDerList(readFileSync(chainFile, 'utf8')).map(parseCertificate);
  const leaf = certificates[0];
  if (leaf === undefined) throw new Error(`${chainFile} holds no certificate`);
  assertKeyMatches(key, leaf);
  return { privateKey: key.privateKey, certificates };
}

function assertKeyMatches(key: KeyPair, certificate: ParsedCertificate): void {
  const probe = Buffer.from('gccgw key check');
  const algorithm = key.type === 'ed25519' ? null : 'sha256';
  const publicKey = createPublicKey(certificate.publicKey().export({ format: 'pem', type: 'spki' }));
  if (!verify(algorithm, probe, publicKey, sign(algorithm, probe, key.privateKey))) {
    throw new Error('the private key does not belong to the first certificate of the chain');
  }
}

/**
 * Builds the gateway's trust context from configuration. Demo mode generates the demo PKI on first
 * start (and again when its trust list has expired: a demo must not lock its owner out) and runs
 * its revocation servers in-process; files mode reads everything from the configured files. Any
 * problem stops the start (ERR_CONFIG_INVALID): a gateway that cannot decide trust must not serve.
 */
export async function startGatewayTrust(options: StartGatewayTrustOptions): Promise<StartedGatewayTrust> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const invalid = (message: string, cause?: unknown): GatewayError => new GatewayError('ERR_CONFIG_INVALID', { message: `trust: ${message}`, cause });

  let demoServices: DemoTrustServices | undefined;
  let trustListFile: string;
  let anchors: ParsedCertificate[];
  let signer: Signer;
  let gatewayClientId: string;
  let tls: { keyPem: string; chainPem: string };
  let revocation: RevocationChecker;
  try {
    if (config.mode === 'demo') {
      const manifestPath = join(config.pkiDir, 'manifest.json');
      let manifest = existsSync(manifestPath) ? await readDemoPkiManifest(config.pkiDir) : undefined;
      const graceMillis = config.nextUpdateGraceSeconds * 1000;
      if (manifest !== undefined && Date.parse(manifest.trustList.nextUpdate) + graceMillis < clock.now().getTime()) {
        logger.warn({ pkiDir: config.pkiDir, nextUpdate: manifest.trustList.nextUpdate }, 'the demo trust list has expired: generating a new demo PKI');
        manifest = undefined;
      }
      if (manifest === undefined) {
        logger.info({ pkiDir: config.pkiDir }, 'generating the demo GCC PKI (first start): six states, agencies, the gateway certificates, trust list');
        manifest = await initDemoPki({ dir: config.pkiDir, force: true, now: clock.now() });
      }
      const pki = await loadDemoPki(manifest);
      const own = pki.states[config.demoState].gateway;
      const files = manifest.states[config.demoState].gateway;
      if (own === undefined || files === undefined) throw new Error(`the demo PKI has no gateway for ${config.demoState}`);
      demoServices = await startDemoTrustServices(pki, { clock });
      const services = demoServices;
      revocation = new RevocationChecker({
        fetch: globalFetch,
        clock,
        cacheTtlSeconds: config.revocationCacheTtlSeconds,
        ocspUrlsFor: () => services.ocspUrlsFor(),
        crlUrlsFor: (cert) => services.crlUrlsFor(cert),
      });
      trustListFile = manifest.trustList.signed;
      anchors = [pki.operator.root];
      signer = { privateKey: own.signing.key.privateKey, certificates: own.signing.chain };
      gatewayClientId = own.signing.clientId;
      tls = { keyPem: readFileSync(files.serverKey, 'utf8'), chainPem: readFileSync(files.serverChain, 'utf8') };
    } else {
      const need = (value: string | undefined, key: string): string => {
        if (value === undefined) throw new Error(`${key} is required in files mode`);
        return value;
      };
      trustListFile = need(config.trustListFile, 'trustListFile');
      anchors = [parseCertificate(pemToDer(readFileSync(need(config.operatorAnchorFile, 'operatorAnchorFile'), 'utf8')))];
      signer = loadSigner(need(config.signingKeyFile, 'signingKeyFile'), need(config.signingChainFile, 'signingChainFile'));
      const serverKeyPem = readFileSync(need(config.serverKeyFile, 'serverKeyFile'), 'utf8');
      const serverChainPem = readFileSync(need(config.serverChainFile, 'serverChainFile'), 'utf8');
      const serverLeaf = pemToDerList(serverChainPem).map(parseCertificate)[0];
      if (serverLeaf === undefined) throw new Error('serverChainFile holds no certificate');
      assertKeyMatches(keyPairFromPem(serverKeyPem), serverLeaf);
      tls = { keyPem: serverKeyPem, chainPem: serverChainPem };
      const signingLeaf = signer.certificates[0] as ParsedCertificate;
      const uri = signingLeaf.subjectAltNames.find((n) => n.type === 'uri');
      const identity = uri?.type === 'uri' ? parseClientUri(uri.value) : undefined;
      if (identity === undefined) throw new Error('the signing certificate carries no GCC client identity (SAN URI urn:gcc:client:...)');
      gatewayClientId = identity.clientId;
      revocation = new RevocationChecker({ fetch: globalFetch, clock, cacheTtlSeconds: config.revocationCacheTtlSeconds });
    }
  } catch (cause) {
    await demoServices?.close();
    throw cause instanceof GatewayError ? cause : invalid((cause as Error).message, cause);
  }

  const holder = new TrustListHolder({ operatorAnchors: anchors, clock, nextUpdateGraceSeconds: config.nextUpdateGraceSeconds });
  try {
    await holder.loadFile(trustListFile);
  } catch (cause) {
    await demoServices?.close();
    throw invalid(`the trust list ${trustListFile} cannot be loaded: ${(cause as Error).message}`, cause);
  }
  const chainCache = new ValidatedChainCache({ ttlSeconds: config.revocationCacheTtlSeconds });
  const refreshRevocation = (): void => {
    revocation.clearCaches();
    chainCache.clear();
  };
  const watcher = holder.watchFile(trustListFile, {
    intervalMillis: options.reloadIntervalMillis ?? 5000,
    onLoad: (list: TrustList) => {
      // Decisions made under the previous list must not be reused under the new one.
      refreshRevocation();
      logger.info({ sequenceNumber: list.sequenceNumber, nextUpdate: list.nextUpdate.toISOString() }, 'trust list loaded');
    },
    onError: (error) => logger.error({ err: error, file: trustListFile }, 'trust list reload refused; the held list stays in force'),
  });

  return {
    holder,
    revocation,
    // A gateway verifies many requests and events at once: public-key checks of known signers run
    // on the libuv pool (its other cores), not on the event loop.
    signatureTrust: { trustList: () => holder.current(), revocation, clock, chainCache, offloadSignatureChecks: true },
    signer: { ...signer, clock },
    gatewayClientId,
    refreshRevocation,
    trustListFile,
    demoServices,
    tls: {
      ...tls,
      caPems: () => {
        try {
          return holder.current().caCertificates().map((c) => derToPem(c.der, 'CERTIFICATE'));
        } catch {
          return [];
        }
      },
    },
    close: async () => {
      watcher.close();
      await demoServices?.close();
    },
  };
}
