/**
 * Heartbeat (key 12)
 *
 *   Heartbeat Request (Version: 3) => group_id (STRING) generation_id (INT32) member_id (STRING)
 *                                    group_instance_id (NULLABLE_STRING)
 *   Heartbeat Response (Version: 3) => throttle_time_ms (INT32) error_code (INT16)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export function decodeHeartbeatRequest(decoder: Decoder): HeartbeatRequest {
  return {
    groupId: decoder.readString(),
    generationId: decoder.readInt32(),
    memberId: decoder.readString(),
    groupInstanceId: decoder.readNullableString(),
  };
}

export function encodeHeartbeatResponse(encoder: Encoder, response: { errorCode: number }): void {
  encoder.writeInt32(0).writeInt16(response.errorCode);
}
