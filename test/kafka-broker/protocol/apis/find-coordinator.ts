/**
 * FindCoordinator (key 10)
 *
 *   FindCoordinator Request (Version: 2) => key (STRING) key_type (INT8: 0 group, 1 transaction)
 *   FindCoordinator Response (Version: 2) => throttle_time_ms error_code error_message node_id host port
 *     error_code => INT16  error_message => NULLABLE_STRING
 *     node_id => INT32  host => STRING  port => INT32
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export interface FindCoordinatorResponse {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export function decodeFindCoordinatorRequest(decoder: Decoder): FindCoordinatorRequest {
  return { key: decoder.readString(), keyType: decoder.readInt8() };
}

export function encodeFindCoordinatorResponse(encoder: Encoder, response: FindCoordinatorResponse): void {
  encoder
    .writeInt32(0)
    .writeInt16(response.errorCode)
    .writeNullableString(response.errorMessage)
    .writeInt32(response.nodeId)
    .writeString(response.host)
    .writeInt32(response.port);
}
