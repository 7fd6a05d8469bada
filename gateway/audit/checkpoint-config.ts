import { createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { globalFetch, keyPairFromPem, parseCertificate, pemToDer, pemToDerList, verifyTrustList, type Signer, type TrustList } from '../../trust/index.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import { trustCheckpointSigner, type CheckpointSigner } from './checkpoint.js';


/**
 * Builds the checkpoint signer from `audit.checkpoints`: the gateway's signing key and chain, and
 * optionally a TSA checked against the signed trust list. Refuses to start (ERR_CONFIG_INVALID) on
 * files that cannot be read or a key that does not belong to the certificate, since checkpoints
 * nobody can verify would be worse than none.
 */
export async function checkpointSignerFromConfig(settings: NonNullable<GatewayConfig['audit']['checkpoints']>): Promise<CheckpointSigner> {
  const invalid = (message: string, cause?: unknown): GatewayError => new GatewayError('ERR_CONFIG_INVALID', { message: `audit.checkpoints: ${message}`, cause });
  let signer: Signer;
  try {
    const key = keyPairFromPem(readFileSync(settings.signingKeyFile, 'utf8'));
    const certificates = pemToDerList(readFileSync(settings.signingChainFile, 'utf8')).map(parseCertificate);
    const leaf = certificates[0];
    if (leaf === undefined) throw new Error('the chain file holds no certificate');
    const probe = Buffer.from('gccgw checkpoint key check');
    const algorithm = key.type === 'ed25519' ? null : 'sha256';
    if (!verify(algorithm, probe, createPublicKey(leaf.publicKey().export({ format: 'pem', type: 'spki' })), sign(algorithm, probe, key.privateKey))) {
      throw new Error('the signing key does not belong to the first certificate of the chain');
    }
    signer = { privateKey: key.privateKey, certificates };
  } catch (cause) {
    throw invalid((cause as Error).message, cause);
  }
  let tsa: Parameters<typeof trustCheckpointSigner>[0]['tsa'];
  if (settings.tsa !== undefined) {
    let trustList: TrustList;
    try {
      const anchor = pemToDer(readFileSync(settings.tsa.operatorAnchorFile, 'utf8'));
      trustList = (await verifyTrustList(readFileSync(settings.tsa.trustListFile, 'utf8'), { operatorAnchors: [anchor], at: new Date() })).trustList;
    } catch (cause) {
      throw invalid(`the trust list for the TSA cannot be loaded: ${(cause as Error).message}`, cause);
    }
    tsa = { url: settings.tsa.url, fetch: globalFetch, trustList: () => trustList };
  }
  return trustCheckpointSigner({ signer, ...(tsa !== undefined ? { tsa } : {}) });
}
