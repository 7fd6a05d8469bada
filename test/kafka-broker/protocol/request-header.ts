/**
 * Request framing and headers (https://kafka.apache.org/protocol#protocol_messages):
 *
 *   RequestOrResponse => Size (INT32) Message
 *   Request Header v1 => request_api_key (INT16) request_api_version (INT16) correlation_id (INT32)
 *                        client_id (NULLABLE_STRING)
 *   Request Header v2 => v1 + TAG_BUFFER                (used by flexible versions, KIP-482)
 *   Response Header v0 => correlation_id (INT32)
 *   Response Header v1 => correlation_id TAG_BUFFER      (flexible versions, except ApiVersions)
 *
 * The broker advertises no flexible version, so the only flexible requests it sees are ApiVersions
 * v3+ probes; their header (v2) is decoded in full and they are answered in v0 form (below).
 */
import type { Decoder } from './decoder.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** ApiVersions v3+ (KIP-511) and every API's first flexible version use request header v2. */
export function usesFlexibleHeader(apiKey: number, apiVersion: number): boolean {
  return apiKey === 18 && apiVersion >= 3;
}

export function decodeRequestHeader(decoder: Decoder): RequestHeader {
  const apiKey = decoder.readInt16();
  const apiVersion = decoder.readInt16();
  const correlationId = decoder.readInt32();
  const clientId = decoder.readNullableString();
  if (usesFlexibleHeader(apiKey, apiVersion)) decoder.skipTaggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}
