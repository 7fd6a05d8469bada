/**
 * ListGroups (key 16)
 *
 *   ListGroups Request (Version: 2) => (empty)
 *   ListGroups Response (Version: 2) => throttle_time_ms error_code [groups]
 *     groups => group_id (STRING) protocol_type (STRING)
 */
import type { Encoder } from '../encoder.js';

export function encodeListGroupsResponse(
  encoder: Encoder,
  response: { errorCode: number; groups: Array<{ groupId: string; protocolType: string }> },
): void {
  encoder.writeInt32(0).writeInt16(response.errorCode);
  encoder.writeArray(response.groups, (e, group) => void e.writeString(group.groupId).writeString(group.protocolType));
}
