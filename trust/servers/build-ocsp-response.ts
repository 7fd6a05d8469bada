/** Building signed OCSP responses (RFC 6960 §4.2), for the test responder and for tests. */
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  BasicOCSPResponse, CertID, CertStatus, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPResponse, OCSPResponseStatus,
  ResponderID, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
} from '@peculiar/asn1-ocsp';
import { AlgorithmIdentifier, Certificate, CRLReason, Extension } from '@peculiar/asn1-x509';
import type { KeyPair, RsaScheme } from '../pki/key-pair.js';
import { CRL_REASON_CODES, type CrlReason } from '../pki/issue-crl.js';
import { signData } from '../pki/sign-data.js';
import { children, readNode, toArrayBuffer, value } from '../util/der.js';
import type { OcspCertId } from '../revocation/ocsp.js';
import { OID } from '../x509/oids.js';
import type { ParsedCertificate } from '../x509/parse-certificate.js';

export type OcspAnswer = { readonly status: 'good' } | { readonly status: 'unknown' } | { readonly status: 'revoked'; readonly revokedAt: Date; readonly reason?: CrlReason };

export interface BuildOcspResponseOptions {
  readonly signer: { readonly certificate: ParsedCertificate; readonly key: KeyPair; readonly rsaScheme?: RsaScheme };
  readonly responses: ReadonlyArray<{ readonly certId: OcspCertId; readonly answer: OcspAnswer; readonly thisUpdate: Date; readonly nextUpdate?: Date }>;
  readonly producedAt: Date;
  readonly nonce?: Uint8Array;
  /** Certificates to embed (the delegated responder's). */
  readonly certificates?: readonly ParsedCertificate[];
}

function serialBytes(hex: string): ArrayBuffer {
  let text = hex.length % 2 ? `0${hex}` : hex;
  if (parseInt(text.slice(0, 2), 16) >= 0x80) text = `00${text}`;
  return toArrayBuffer(new Uint8Array(Buffer.from(text, 'hex')));
}

export function buildOcspResponse(options: BuildOcspResponseOptions): Uint8Array {
  const [, bits] = children(readNode(options.signer.certificate.spki));
  const keyHash = createHash('sha1').update(value(bits as NonNullable<typeof bits>).subarray(1)).digest();
  const responseData = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(keyHash) }),
    producedAt: options.producedAt,
    responses: options.responses.map(
      (r) =>
        new SingleResponse({
          certID: new CertID({
            hashAlgorithm: new AlgorithmIdentifier({ algorithm: r.certId.hashAlgorithm === 'sha1' ? OID.sha1 : OID.sha256, parameters: null }),
            issuerNameHash: new OctetString(r.certId.issuerNameHash),
            issuerKeyHash: new OctetString(r.certId.issuerKeyHash),
            serialNumber: serialBytes(r.certId.serialNumberHex),
          }),
          certStatus:
            r.answer.status === 'good'
              ? new CertStatus({ good: null })
              : r.answer.status === 'unknown'
                ? new CertStatus({ unknown: null })
                : new CertStatus({
                    revoked: new RevokedInfo({
                      revocationTime: r.answer.revokedAt,
                      ...(r.answer.reason ? { revocationReason: new CRLReason(CRL_REASON_CODES[r.answer.reason]) } : {}),
                    }),
                  }),
          thisUpdate: r.thisUpdate,
          ...(r.nextUpdate ? { nextUpdate: r.nextUpdate } : {}),
        }),
    ),
  });
  if (options.nonce) {
    responseData.responseExtensions = [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(options.nonce))) })];
  }
  const tbs = new Uint8Array(AsnConvert.serialize(responseData));
  const signed = signData(options.signer.key, tbs, options.signer.rsaScheme ?? 'pkcs1');
  const basic = new BasicOCSPResponse({
    tbsResponseData: responseData,
    signatureAlgorithm: AsnConvert.parse(toArrayBuffer(signed.algorithm), AlgorithmIdentifier),
    signature: toArrayBuffer(signed.signature),
    ...(options.certificates?.length ? { certs: options.certificates.map((c) => AsnConvert.parse(toArrayBuffer(c.der), Certificate)) } : {}),
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return new Uint8Array(AsnConvert.serialize(response));
}

export function buildOcspErrorResponse(status: OCSPResponseStatus): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(new OCSPResponse({ responseStatus: status })));
}
