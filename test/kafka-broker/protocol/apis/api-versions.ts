/**
 * ApiVersions (key 18)
 *
 *   ApiVersions Request (Version: 0-2) => (empty)
 *   ApiVersions Response (Version: 0) => error_code [api_keys]
 *     error_code => INT16
 *     api_keys => api_key min_version max_version (INT16 each)
 *   ApiVersions Response (Version: 1-2) => error_code [api_keys] throttle_time_ms
 *     throttle_time_ms => INT32
 *
 * A request at an unknown (newer) version is answered with UNSUPPORTED_VERSION in the v0 layout,
 * which every client can read (KIP-511), so it can retry at a version both sides know.
 */
import type { Encoder } from '../encoder.js';
import type { VersionRange } from '../api-keys.js';

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: Array<VersionRange & { apiKey: number }>;
}

export function encodeApiVersionsResponse(encoder: Encoder, version: number, response: ApiVersionsResponse): void {
  encoder.writeInt16(response.errorCode);
  encoder.writeArray(response.apiKeys, (e, api) => {
    e.writeInt16(api.apiKey).writeInt16(api.minVersion).writeInt16(api.maxVersion);
  });
  if (version >= 1) encoder.writeInt32(0);
}
