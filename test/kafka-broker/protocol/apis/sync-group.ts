/**
 * SyncGroup (key 14)
 *
 *   SyncGroup Request (Version: 3) => group_id generation_id member_id group_instance_id [assignments]
 *     group_id => STRING  generation_id => INT32  member_id => STRING
 *     group_instance_id => NULLABLE_STRING
 *     assignments => member_id (STRING) assignment (BYTES)   (sent by the leader only)
 *
 *   SyncGroup Response (Version: 3) => throttle_time_ms error_code assignment (BYTES)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface SyncGroupResponse {
  errorCode: number;
  assignment: Buffer;
}

export function decodeSyncGroupRequest(decoder: Decoder): SyncGroupRequest {
  return {
    groupId: decoder.readString(),
    generationId: decoder.readInt32(),
    memberId: decoder.readString(),
    groupInstanceId: decoder.readNullableString(),
    assignments: decoder.readArray((d) => ({ memberId: d.readString(), assignment: Buffer.from(d.readBytes()) })),
  };
}

export function encodeSyncGroupResponse(encoder: Encoder, response: SyncGroupResponse): void {
  encoder.writeInt32(0).writeInt16(response.errorCode).writeBytes(response.assignment);
}
