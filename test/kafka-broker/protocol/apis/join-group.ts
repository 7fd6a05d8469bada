/**
 * JoinGroup (key 11)
 *
 *   JoinGroup Request (Version: 5) => group_id session_timeout_ms rebalance_timeout_ms member_id
 *                                    group_instance_id protocol_type [protocols]
 *     group_id => STRING  session_timeout_ms => INT32  rebalance_timeout_ms => INT32
 *     member_id => STRING ("" on first join)  group_instance_id => NULLABLE_STRING
 *     protocol_type => STRING ("consumer")
 *     protocols => name (STRING) metadata (BYTES)
 *
 *   JoinGroup Response (Version: 5) => throttle_time_ms error_code generation_id protocol_name
 *                                     leader member_id [members]
 *     members => member_id (STRING) group_instance_id (NULLABLE_STRING) metadata (BYTES)
 *                (filled for the leader only)
 *
 * Since v4 a first join without a member id is answered MEMBER_ID_REQUIRED with the id to use
 * (KIP-394), so the coordinator never holds state for a client that never comes back.
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: GroupProtocol[];
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export function decodeJoinGroupRequest(decoder: Decoder): JoinGroupRequest {
  return {
    groupId: decoder.readString(),
    sessionTimeoutMs: decoder.readInt32(),
    rebalanceTimeoutMs: decoder.readInt32(),
    memberId: decoder.readString(),
    groupInstanceId: decoder.readNullableString(),
    protocolType: decoder.readString(),
    protocols: decoder.readArray((d) => ({ name: d.readString(), metadata: Buffer.from(d.readBytes()) })),
  };
}

export function encodeJoinGroupResponse(encoder: Encoder, response: JoinGroupResponse): void {
  encoder
    .writeInt32(0)
    .writeInt16(response.errorCode)
    .writeInt32(response.generationId)
    .writeString(response.protocolName)
    .writeString(response.leader)
    .writeString(response.memberId)
    .writeArray(response.members, (e, member) => {
      e.writeString(member.memberId).writeNullableString(member.groupInstanceId).writeBytes(member.metadata);
    });
}
