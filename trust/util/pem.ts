import { TrustError } from '../errors/trust-error.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block of the given label, as DER. Text without such a block is refused. */
export function pemToDerList(text: string, label = 'CERTIFICATE'): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    if (match[1] !== label) continue;
    const body = (match[2] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) {
      throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: `Bad base64 in PEM ${label}` });
    }
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  if (out.length === 0) throw new TrustError('ERR_TRUST_MALFORMED_INPUT', { message: `No PEM ${label} block found` });
  return out;
}

export function pemToDer(text: string, label = 'CERTIFICATE'): Uint8Array {
  return pemToDerList(text, label)[0] as Uint8Array;
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
