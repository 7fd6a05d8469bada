/**
 * A real RFC 3161 timestamp authority over HTTP (§3.4), for tests and the embedded mode. Tokens are
 * CMS SignedData built by hand in DER (RFC 5652 §5), with contentType, messageDigest and ESS
 * signingCertificateV2 (RFC 5816) as signed attributes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { TimeStampReq } from '@peculiar/asn1-tsp';
import type { KeyPair } from '../pki/key-pair.js';
import { signData } from '../pki/sign-data.js';
import { OID_CONTENT_TYPE, OID_MESSAGE_DIGEST, OID_SIGNING_CERTIFICATE_V2 } from '../tsp/timestamp.js';
import { systemClock, type Clock } from '../util/clock.js';
import { children, readNode, toArrayBuffer } from '../util/der.js';
import { concat, contextConstructed, generalizedTime, integer, octetString, oid, sequence, set, tlv } from '../util/der-encode.js';
import { OID } from '../x509/oids.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';
import { listen, readBody, type RunningServer } from './http-util.js';

const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';
/** Demo TSA policy OID (private arc of the project's demo PKI). */
export const DEMO_TSA_POLICY = '1.3.6.1.4.1.61026.1.4.1';

export interface TsaSigner {
  readonly certificate: ParsedCertificate;
  readonly key: KeyPair;
  /** Certificates to embed after the signer (intermediates). */
  readonly chain?: readonly ParsedCertificate[];
}

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
function derSetOf(items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return set(...sorted);
}

export function buildTimestampResponse(options: { readonly request: Uint8Array; readonly signer: TsaSigner; readonly genTime: Date; readonly policy?: string }): Uint8Array {
  const req = AsnConvert.parse(toArrayBuffer(options.request), TimeStampReq);
  const reqNode = readNode(options.request);
  const imprint = children(reqNode)[1];
  if (!imprint) throw new TypeError('bad request');
  const serial = randomBytes(12);
  serial[0] = (serial[0] as number) & 0x7f;
  const tstInfo = sequence(
    integer(1),
    oid(options.policy ?? DEMO_TSA_POLICY),
    imprint.bytes.subarray(imprint.start, imprint.end),
    integer(new Uint8Array(serial)),
    generalizedTime(options.genTime),
    sequence(integer(1)),
    ...(req.nonce ? [integer(new Uint8Array(req.nonce))] : []),
  );
  const signerCert = options.signer.certificate;
  const certHash = createHash('sha256').update(signerCert.der).digest();
  const attributes = [
    sequence(oid(OID_CONTENT_TYPE), set(oid(ID_CT_TSTINFO))),
    sequence(oid(OID_MESSAGE_DIGEST), set(octetString(new Uint8Array(createHash('sha256').update(tstInfo).digest())))),
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; hashAlgorithm defaults to SHA-256.
    sequence(oid(OID_SIGNING_CERTIFICATE_V2), set(sequence(sequence(sequence(octetString(new Uint8Array(certHash))))))),
  ];
  const signedAttrsSet = derSetOf(attributes);
  const signature = signData(options.signer.key, signedAttrsSet);
  const signedAttrsImplicit = concat(new Uint8Array([0xa0]), signedAttrsSet.subarray(1));
  const signerInfo = sequence(
    integer(1),
    sequence(signerCert.issuerDer, integer(new Uint8Array(Buffer.from(signerCert.serialNumberHex.length % 2 ? `0${signerCert.serialNumberHex}` : signerCert.serialNumberHex, 'hex')))),
    sequence(oid(OID.sha256)),
    signedAttrsImplicit,
    signature.algorithm,
    octetString(signature.signature),
  );
  const certs = [signerCert, ...(options.signer.chain ?? [])].map((c) => c.der);
  const signedData = sequence(
    integer(3),
    set(sequence(oid(OID.sha256))),
    sequence(oid(ID_CT_TSTINFO), contextConstructed(0, octetString(tstInfo))),
    tlv(0xa0, concat(...certs)),
    set(signerInfo),
  );
  const token = sequence(oid(ID_SIGNED_DATA), contextConstructed(0, signedData));
  return sequence(sequence(integer(0)), token);
}

export interface TsaServerOptions {
  readonly signer: TsaSigner;
  /** @default system clock */
  readonly clock?: Clock;
  readonly policy?: string;
  readonly host?: string;
  readonly port?: number;
}

export interface TsaServer extends RunningServer {
  requestCount(): number;
}

export async function startTsaServer(options: TsaServerOptions): Promise<TsaServer> {
  if (!options?.signer?.certificate) throw new TypeError('startTsaServer needs a signer');
  const clock = options.clock ?? systemClock;
  let count = 0;
  const server = await listen(async (req, res) => {
    count++;
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const body = await readBody(req, 16384);
    let reply: Uint8Array;
    try {
      reply = buildTimestampResponse({ request: body, signer: options.signer, genTime: clock.now(), ...(options.policy ? { policy: options.policy } : {}) });
    } catch {
      // PKIStatusInfo rejection (2) with failInfo badDataFormat.
      reply = sequence(sequence(integer(2)));
    }
    res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.length });
    res.end(reply);
  }, options);
  return { ...server, requestCount: () => count };
}
