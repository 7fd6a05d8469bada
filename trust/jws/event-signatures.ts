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

/** The bytes that are signed: the canonical event without a `jws` member. */
export function eventSigningInput(event: SignableEvent): Uint8Array {
  const { jws: _jws, ...rest } = event as Record<string, unknown>;
  return new TextEncoder().encode(canonicalize(rest, { maxDepth: 32 }));
}

export async function signEvent(options: { readonly event: SignableEvent; readonly signer: Signer }): Promise<string> {
  if (typeof options.event?.source !== 'string' || typeof options.event.id !== 'string') throw new TypeError('signEvent needs an event with id and source');
  return signDetached({
    payload: eventSigningInput(options.event),
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
