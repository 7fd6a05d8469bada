/**
 * The APIs the test broker implements and the versions it advertises in ApiVersions.
 *
 * kafkajs picks `min(its max, broker max)` per API and ignores the broker's minimum, so each API
 * advertises exactly the versions implemented: kafkajs 2.2.4's newest, plus the older versions
 * librdkafka 2.0 (kcat) sends where they differ (Metadata 4, ListOffsets 2, LeaveGroup 1).
 * None of these is a flexible version (KIP-482), so clients stay on classic encodings and
 * request header v1; ApiVersions is implemented at 0-2, as clients probe it before they know what
 * the broker speaks.
 */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
} as const;

export type ApiName = keyof typeof ApiKey;

export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

export const SUPPORTED_VERSIONS: Readonly<Record<ApiName, VersionRange>> = {
  Produce: { minVersion: 7, maxVersion: 7 },
  Fetch: { minVersion: 11, maxVersion: 11 },
  ListOffsets: { minVersion: 1, maxVersion: 3 },
  Metadata: { minVersion: 1, maxVersion: 6 },
  OffsetCommit: { minVersion: 5, maxVersion: 5 },
  OffsetFetch: { minVersion: 4, maxVersion: 4 },
  FindCoordinator: { minVersion: 2, maxVersion: 2 },
  JoinGroup: { minVersion: 5, maxVersion: 5 },
  Heartbeat: { minVersion: 3, maxVersion: 3 },
  LeaveGroup: { minVersion: 0, maxVersion: 3 },
  SyncGroup: { minVersion: 3, maxVersion: 3 },
  DescribeGroups: { minVersion: 2, maxVersion: 2 },
  ListGroups: { minVersion: 2, maxVersion: 2 },
  ApiVersions: { minVersion: 0, maxVersion: 2 },
  CreateTopics: { minVersion: 3, maxVersion: 3 },
  DeleteTopics: { minVersion: 1, maxVersion: 1 },
  InitProducerId: { minVersion: 1, maxVersion: 1 },
};

const NAMES = new Map<number, ApiName>(Object.entries(ApiKey).map(([name, key]) => [key, name as ApiName]));

export function apiName(apiKey: number): ApiName | undefined {
  return NAMES.get(apiKey);
}

export function isSupportedVersion(name: ApiName, version: number): boolean {
  const range = SUPPORTED_VERSIONS[name];
  return version >= range.minVersion && version <= range.maxVersion;
}
