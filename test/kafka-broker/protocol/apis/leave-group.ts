/**
 * LeaveGroup (key 13), versions 0-3 (kafkajs uses 3, librdkafka 2.0 uses 1)
 *
 *   LeaveGroup Request (Version: 0-2) => group_id (STRING) member_id (STRING)
 *   LeaveGroup Request (Version: 3) => group_id [members]       (KIP-345: a batch of members)
 *     members => member_id (STRING) group_instance_id (NULLABLE_STRING)
 *
 *   LeaveGroup Response (Version: 0) => error_code
 *   LeaveGroup Response (Version: 1-2) => throttle_time_ms error_code
 *   LeaveGroup Response (Version: 3) => throttle_time_ms error_code [members]
 *     members => member_id (STRING) group_instance_id (NULLABLE_STRING) error_code (INT16)
 *
 * Before v3 the one member's error is the response's error_code.
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface LeaveGroupMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  members: LeaveGroupMember[];
}

export interface LeaveGroupResponse {
  errorCode: number;
  members: Array<LeaveGroupMember & { errorCode: number }>;
}

export function decodeLeaveGroupRequest(decoder: Decoder, version: number): LeaveGroupRequest {
  const groupId = decoder.readString();
  if (version < 3) return { groupId, members: [{ memberId: decoder.readString(), groupInstanceId: null }] };
  return {
    groupId,
    members: decoder.readArray((d) => ({ memberId: d.readString(), groupInstanceId: d.readNullableString() })),
  };
}

export function encodeLeaveGroupResponse(encoder: Encoder, response: LeaveGroupResponse, version: number): void {
  if (version < 3) {
    if (version >= 1) encoder.writeInt32(0);
    encoder.writeInt16(response.errorCode !== 0 ? response.errorCode : (response.members[0]?.errorCode ?? 0));
    return;
  }
  encoder.writeInt32(0).writeInt16(response.errorCode);
  encoder.writeArray(response.members, (e, member) => {
    e.writeString(member.memberId).writeNullableString(member.groupInstanceId).writeInt16(member.errorCode);
  });
}
