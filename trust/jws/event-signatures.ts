/**
 * Event signatures (DESIGN.md, "Cross-border events"): a detached JWS over the RFC 8785 canonical
 * JSON of the CloudEvent (without its `jws` extension), carried in the `ce_jws` header. The event's
 * `source` must be the ClientId the signing certificate proves.
 */
import { TrustError } from '../errors/trust-error.js';
import { canonicalize } from '../util/canonical-json.js';
import { systemClock } from '../util/clock.js';
import type { Signer } from './http-signatures.js';
import { signDetached } from './sign-detached.js';
import { verifySignature, type SignatureTrust, type VerifiedSignature } from './verify-signature.js';

export type SignableEvent = Readonly<Record<string, unknown>> & { readonly source: string; readonly id: string };

const encoder = new TextEncoder();

/**
 * The RFC 8785 canonical JSON of the event without a `jws` member. `canonicalData`, when given,
 * must be `canonicalize(event.data)`: a producer that already canonicalised the data (for its
 * deterministic id, and as the record value) passes it so the data is not walked again. The
 * members are then joined as §3.2.3 orders them (names sorted by UTF-16 code units, which is what
 * the default `Array.prototype.sort` compares), each value canonicalised as `canonicalize` would.
 */
export function canonicalEventJson(event: SignableEvent, canonicalData?: string): string {
  if (canonicalData === undefined) {
    const { jws: _jws, ...rest } = event as Record<string, unknown>;
    return canonicalize(rest, { maxDepth: 32 });
  }
  const members: string[] = [];
  for (const name of Object.keys(event).sort()) {
    if (name === 'jws') continue;
    const value = (event as Record<string, unknown>)[name];
    if (value === undefined) continue;
    // Depth 31 below the event: the same limit as 32 for the whole event.
    members.push(`${canonicalize(name)}:${name === 'data' ? canonicalData : canonicalize(value, { maxDepth: 31 })}`);
  }
  return `{${members.join(',')}}`;
}

/** The bytes that are signed: the canonical event without a `jws` member (see `canonicalEventJson`). */
export function eventSigningInput(event: SignableEvent, canonicalData?: string): Uint8Array {
  return encoder.encode(canonicalEventJson(event, canonicalData));
}

export async function signEvent(options: { readonly event: SignableEvent; readonly signer: Signer; /** `canonicalize(event.data)`, when the caller has it. */ readonly canonicalData?: string }): Promise<string> {
  if (typeof options.event?.source !== 'string' || typeof options.event.id !== 'string') throw new TypeError('signEvent needs an event with id and source');
  return signDetached({
    payload: eventSigningInput(options.event, options.canonicalData),
    privateKey: options.signer.privateKey,
    certificates: options.signer.certificates,
    signingTime: (options.signer.clock ?? systemClock).now(),
  });
}

export async function verifyEvent(options: { readonly event: SignableEvent; readonly signature: string; readonly trust: SignatureTrust; readonly atSigningTime?: boolean }): Promise<VerifiedSignature> {
  let payload: Uint8Array;
  try {
    payload = eventSigningInput(options.event);
  } catch (cause) {
    throw new TrustError('ERR_TRUST_INPUT_TOO_LARGE', { message: 'The event cannot be canonicalised', cause });
  }
  const verified = await verifySignature({ jws: options.signature, payload, trust: options.trust, ...(options.atSigningTime ? { atSigningTime: true } : {}) });
  if (options.event.source !== verified.identity.clientId) {
    throw new TrustError('ERR_TRUST_JWS_BINDING_MISMATCH', { message: `Event source ${options.event.source} is not the signer ${verified.identity.clientId}` });
  }
  return verified;
}
