/**
 * DescribeGroups (key 15)
 *
 *   DescribeGroups Request (Version: 2) => [groups (STRING)]
 *   DescribeGroups Response (Version: 2) => throttle_time_ms [groups]
 *     groups => error_code group_id group_state protocol_type protocol_data [members]
 *       group_state => STRING (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead)
 *       members => member_id client_id client_host member_metadata (BYTES) member_assignment (BYTES)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }>;
}

export function decodeDescribeGroupsRequest(decoder: Decoder): { groups: string[] } {
  return { groups: decoder.readArray((d) => d.readString()) };
}

export function encodeDescribeGroupsResponse(encoder: Encoder, response: { groups: DescribedGroup[] }): void {
  encoder.writeInt32(0);
  encoder.writeArray(response.groups, (e, group) => {
    e.writeInt16(group.errorCode)
      .writeString(group.groupId)
      .writeString(group.state)
      .writeString(group.protocolType)
      .writeString(group.protocol);
    e.writeArray(group.members, (me, member) => {
      me.writeString(member.memberId)
        .writeString(member.clientId)
        .writeString(member.clientHost)
        .writeBytes(member.metadata)
        .writeBytes(member.assignment);
    });
  });
}
