/**
 * Seed data of the government cloud sandbox: tenants of entities that also exist in the Mawared
 * sandbox (same state + code), and deterministic synthetic monthly costs. Demo values only.
 */
export type ServiceKind = 'VirtualMachine' | 'Database' | 'Storage' | 'Kubernetes' | 'Network';
export const SERVICE_KINDS: readonly ServiceKind[] = ['VirtualMachine', 'Database', 'Storage', 'Kubernetes', 'Network'];

export interface TenantRow {
  readonly id: string;
  readonly displayName: string;
  readonly entityState: string;
  readonly entityCode: string;
  readonly region: string;
  readonly status: 'Active' | 'Suspended' | 'Decommissioning';
  /** Base monthly spend in QAR, from which the seeded costs vary. */
  readonly baseMonthlyQar: number;
}

export const TENANT_ROWS: readonly TenantRow[] = [
  { id: 'tnt-qa-mof-prod', displayName: 'MOF Production', entityState: 'QA', entityCode: 'MOF', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 182_000 },
  { id: 'tnt-qa-mof-dev', displayName: 'MOF Development', entityState: 'QA', entityCode: 'MOF', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 24_500 },
  { id: 'tnt-qa-csgdb-prod', displayName: 'CSGDB Mawared Portal', entityState: 'QA', entityCode: 'CSGDB', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 61_000 },
  { id: 'tnt-qa-moph-prod', displayName: 'MOPH Health Records', entityState: 'QA', entityCode: 'MOPH', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 240_000 },
  { id: 'tnt-qa-moph-dr', displayName: 'MOPH Disaster Recovery', entityState: 'QA', entityCode: 'MOPH', region: 'qa-north-1', status: 'Active', baseMonthlyQar: 58_000 },
  { id: 'tnt-qa-mcit-shared', displayName: 'MCIT Shared Services', entityState: 'QA', entityCode: 'MCIT', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 133_000 },
  { id: 'tnt-qa-moehe-lms', displayName: 'MOEHE Learning Platform', entityState: 'QA', entityCode: 'MOEHE', region: 'qa-central-1', status: 'Suspended', baseMonthlyQar: 96_000 },
  { id: 'tnt-sa-mof-prod', displayName: 'SA MOF Shared Ledger', entityState: 'SA', entityCode: 'MOF', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 47_000 },
  { id: 'tnt-sa-mhrsd-gcc', displayName: 'MHRSD GCC Mobility', entityState: 'SA', entityCode: 'MHRSD', region: 'qa-central-1', status: 'Active', baseMonthlyQar: 38_000 },
  { id: 'tnt-ae-fahr-gcc', displayName: 'FAHR GCC Exchange', entityState: 'AE', entityCode: 'FAHR', region: 'qa-north-1', status: 'Decommissioning', baseMonthlyQar: 12_000 },
];

/** Share of each service kind in a tenant's spend. */
const MIX: Record<ServiceKind, number> = { VirtualMachine: 0.38, Database: 0.24, Storage: 0.14, Kubernetes: 0.17, Network: 0.07 };

/** Deterministic pseudo-random number in [0, 1) from a string (FNV-1a, then xorshift). */
function unitNoise(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h << 13;
  h ^= h >>> 17;
  h ^= h << 5;
  return (h >>> 0) / 0x1_0000_0000;
}

/** The first month with data, and the last (inclusive). */
export const FIRST_COST_MONTH = '2025-01';
export const LAST_COST_MONTH = '2026-10';

/** A tenant's cost in QAR per service kind for one month, or undefined outside the seeded range. */
export function tenantMonthlyCost(tenant: TenantRow, month: string): Record<ServiceKind, number> | undefined {
  if (month < FIRST_COST_MONTH || month > LAST_COST_MONTH) return undefined;
  const out = {} as Record<ServiceKind, number>;
  for (const kind of SERVICE_KINDS) {
    const variation = 0.85 + 0.3 * unitNoise(`${tenant.id}|${month}|${kind}`);
    out[kind] = Math.round(tenant.baseMonthlyQar * MIX[kind] * variation * 100) / 100;
  }
  return out;
}
