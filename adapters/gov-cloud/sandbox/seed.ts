/**
 * Seed data of the government cloud sandbox, generated in memory from a seeded PRNG, so every start
 * (and every test) sees the same cloud: tenants of entities that also exist in the Mawared sandbox
 * (same state + code), their subscriptions, resource groups, resources and quotas, service health
 * events, and deterministic daily usage and monthly costs (computed on demand, never stored).
 * Demo values only.
 */
import { QUOTA_UNITS, REGIONS, RESOURCE_TYPES, SERVICE_KINDS, SKUS, type ServiceKind, type SkuRow } from './catalog.js';

export type { ServiceKind };
export { SERVICE_KINDS };

export type TenantStatus = 'Active' | 'Suspended' | 'Decommissioning';

export interface TenantRow {
  readonly id: string;
  readonly displayName: string;
  readonly entityState: string;
  readonly entityCode: string;
  readonly region: string;
  readonly status: TenantStatus;
  /** Base monthly spend in QAR, from which the seeded costs vary. */
  readonly baseMonthlyQar: number;
  readonly createdAt: string;
}

export interface SubscriptionRow {
  readonly id: string;
  readonly tenantId: string;
  readonly displayName: string;
  readonly state: 'Enabled' | 'Disabled';
}

export interface ResourceGroupRow {
  readonly subscriptionId: string;
  readonly name: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ResourceRow {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly kind: ServiceKind;
  readonly name: string;
  sku: string;
  location: string;
  status: 'Creating' | 'Running' | 'Stopped' | 'Degraded';
  tags: Record<string, string>;
  readonly createdAt: string;
  /** Optimistic-concurrency version; the ETag is derived from it. */
  version: number;
}

export interface QuotaRow {
  readonly tenantId: string;
  readonly kind: ServiceKind;
  limit: number;
}

export interface HealthEventRow {
  readonly id: string;
  readonly region: string;
  readonly kind: ServiceKind;
  readonly severity: 'Information' | 'Warning' | 'Outage';
  readonly status: 'Active' | 'Resolved';
  readonly titleEn: string;
  readonly titleAr: string;
  readonly startedAt: string;
  readonly resolvedAt: string | null;
}

/**
 * Entities of the Mawared sandbox the cloud has tenants for (state + code are the federation key).
 * Copied, not imported: adapters do not import each other, they join through federation.
 */
const ENTITIES: ReadonlyArray<{ readonly state: string; readonly code: string }> = [
  { state: 'QA', code: 'MOF' },
  { state: 'QA', code: 'CSGDB' },
  { state: 'QA', code: 'MOPH' },
  { state: 'QA', code: 'MCIT' },
  { state: 'QA', code: 'MOEHE' },
  { state: 'QA', code: 'PSA' },
  { state: 'SA', code: 'MOF' },
  { state: 'SA', code: 'MHRSD' },
  { state: 'SA', code: 'DGA' },
  { state: 'AE', code: 'FAHR' },
  { state: 'KW', code: 'CSC' },
  { state: 'BH', code: 'CSB' },
  { state: 'OM', code: 'MOL' },
];

/** Tenants of the first cut, kept with their ids (docs and examples name them). */
const FIRST_CUT_TENANTS: ReadonlyArray<Omit<TenantRow, 'createdAt'>> = [
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

const WORKLOADS: ReadonlyArray<{ readonly slug: string; readonly en: string }> = [
  { slug: 'prod', en: 'Production' },
  { slug: 'dev', en: 'Development' },
  { slug: 'test', en: 'Testing' },
  { slug: 'dr', en: 'Disaster Recovery' },
  { slug: 'analytics', en: 'Analytics' },
  { slug: 'portal', en: 'Citizen Portal' },
  { slug: 'data', en: 'Data Platform' },
  { slug: 'integration', en: 'Integration Hub' },
  { slug: 'archive', en: 'Records Archive' },
  { slug: 'ai', en: 'AI Lab' },
  { slug: 'identity', en: 'Identity Services' },
  { slug: 'gcc', en: 'GCC Exchange' },
  { slug: 'erp', en: 'ERP' },
];

export const TENANTS_PER_ENTITY = 12;

/** The first month with data, and the last (inclusive): 24 months. */
export const FIRST_COST_MONTH = '2024-11';
export const LAST_COST_MONTH = '2026-10';

/** Share of each service kind in a tenant's spend. */
const MIX: Record<ServiceKind, number> = { VirtualMachine: 0.38, Database: 0.24, Storage: 0.14, Kubernetes: 0.17, Network: 0.07 };

/** Price of one usage unit per kind, QAR (used to turn a day's cost into a quantity). */
export const USAGE_UNITS: Readonly<Record<ServiceKind, { readonly unit: string; readonly priceQar: number }>> = {
  VirtualMachine: { unit: 'vCPU-hour', priceQar: 0.42 },
  Database: { unit: 'vCore-hour', priceQar: 0.99 },
  Storage: { unit: 'GiB-day', priceQar: 0.0059 },
  Kubernetes: { unit: 'node-hour', priceQar: 1.87 },
  Network: { unit: 'GiB egress', priceQar: 0.31 },
};

/** mulberry32: a small, fast, seedable PRNG; plenty for demo data. */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** Deterministic number in [0, 1) from a string (FNV-1a, then xorshift); for values computed on demand. */
export function unitNoise(key: string): number {
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

export interface SeedData {
  readonly tenants: readonly TenantRow[];
  readonly subscriptions: readonly SubscriptionRow[];
  readonly resourceGroups: readonly ResourceGroupRow[];
  readonly resources: ResourceRow[];
  readonly quotas: readonly QuotaRow[];
  readonly healthEvents: readonly HealthEventRow[];
}

/** Generates the whole sandbox cloud; same seed, same cloud. Takes a few milliseconds. */
export function generateSeed(seed = 20_260_101): SeedData {
  const random = createPrng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const hex = (length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const isoBetween = (from: number, to: number): string => new Date(from + Math.floor(random() * (to - from))).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const tenants: TenantRow[] = [];
  const createdFrom = Date.UTC(2022, 0, 1);
  const createdTo = Date.UTC(2024, 9, 1);
  for (const entity of ENTITIES) {
    const own = FIRST_CUT_TENANTS.filter((t) => t.entityState === entity.state && t.entityCode === entity.code);
    for (const tenant of own) tenants.push({ ...tenant, createdAt: isoBetween(createdFrom, createdTo) });
    const taken = new Set(own.map((t) => t.id));
    for (const workload of WORKLOADS) {
      if (tenants.filter((t) => t.entityState === entity.state && t.entityCode === entity.code).length >= TENANTS_PER_ENTITY) break;
      const id = `tnt-${entity.state.toLowerCase()}-${entity.code.toLowerCase()}-${workload.slug}`;
      if (taken.has(id)) continue;
      const roll = random();
      tenants.push({
        id,
        displayName: `${entity.state === 'QA' ? '' : `${entity.state} `}${entity.code} ${workload.en}`,
        entityState: entity.state,
        entityCode: entity.code,
        region: roll < 0.6 ? 'qa-central-1' : roll < 0.9 ? 'qa-north-1' : 'qa-south-1',
        status: roll > 0.97 ? 'Suspended' : 'Active',
        baseMonthlyQar: int(6, 120) * 1_000,
        createdAt: isoBetween(createdFrom, createdTo),
      });
    }
  }

  const subscriptions: SubscriptionRow[] = [];
  const resourceGroups: ResourceGroupRow[] = [];
  const resources: ResourceRow[] = [];
  const quotas: QuotaRow[] = [];
  const resourceFrom = Date.UTC(2024, 5, 1);
  const resourceTo = Date.UTC(2026, 9, 31);
  const skusOf = (kind: ServiceKind, region: string): SkuRow[] => SKUS.filter((s) => s.kind === kind && s.regions.includes(region) && s.capacityShortIn === undefined);
  for (const tenant of tenants) {
    const workload = tenant.id.split('-').slice(3).join('-');
    const subscriptionCount = tenant.baseMonthlyQar > 60_000 ? 2 : 1;
    const tenantSubscriptions: SubscriptionRow[] = [];
    for (let s = 0; s < subscriptionCount; s++) {
      const subscription: SubscriptionRow = {
        id: `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`,
        tenantId: tenant.id,
        displayName: `${tenant.displayName} ${s === 0 ? 'Main' : 'Non-production'}`,
        state: tenant.status === 'Suspended' ? 'Disabled' : 'Enabled',
      };
      subscriptions.push(subscription);
      tenantSubscriptions.push(subscription);
      for (const purpose of s === 0 ? ['app', 'data', 'network'] : ['sandbox', 'shared']) {
        resourceGroups.push({
          subscriptionId: subscription.id,
          name: `rg-${workload}-${purpose}`,
          location: tenant.region,
          tags: { environment: s === 0 ? 'production' : 'non-production', costCenter: `${tenant.entityCode}-${int(100, 999)}` },
        });
      }
    }

    // Quotas scale with the tenant's size; seeded resources fill them to roughly 40-85 %.
    const scale = Math.max(1, Math.round(tenant.baseMonthlyQar / 20_000));
    const limits: Record<ServiceKind, number> = {
      VirtualMachine: 32 * scale + 32,
      Database: 8 * scale + 16,
      Storage: 10 * scale + 10,
      Kubernetes: 6 * scale + 6,
      Network: 4 + Math.min(scale, 6),
    };
    for (const kind of SERVICE_KINDS) {
      quotas.push({ tenantId: tenant.id, kind, limit: limits[kind] });
      const target = Math.floor(limits[kind] * (0.4 + 0.45 * random()));
      let used = 0;
      let index = 1;
      for (let attempts = 0; attempts < 40 && used < target; attempts++) {
        const group = pick(resourceGroups.filter((g) => tenantSubscriptions.some((sub) => sub.id === g.subscriptionId)));
        const candidates = skusOf(kind, group.location).filter((sku) => used + sku.units <= target);
        if (candidates.length === 0) break;
        const sku = pick(candidates);
        used += sku.units;
        const roll = random();
        resources.push({
          tenantId: tenant.id,
          subscriptionId: group.subscriptionId,
          resourceGroup: group.name,
          kind,
          name: resourceName(kind, workload, index++),
          sku: sku.name,
          location: group.location,
          status: tenant.status === 'Suspended' ? 'Stopped' : roll < 0.9 ? 'Running' : roll < 0.97 ? 'Stopped' : 'Degraded',
          tags: { ...group.tags, workload, dataClassification: random() < 0.5 ? 'internal' : 'confidential' },
          createdAt: isoBetween(resourceFrom, resourceTo),
          version: 1,
        });
      }
    }
  }

  const healthEvents: HealthEventRow[] = [];
  const healthFrom = Date.UTC(2024, 10, 1);
  const healthTo = Date.UTC(2026, 10, 20);
  for (let i = 0; i < 90; i++) {
    const kind = pick(SERVICE_KINDS);
    const template = pick(HEALTH_TEMPLATES[kind]);
    const severity = pick(['Information', 'Warning', 'Warning', 'Outage'] as const);
    const startedAt = isoBetween(healthFrom, healthTo);
    const active = i >= 87;
    healthEvents.push({
      id: `she-${String(i + 1).padStart(4, '0')}-${hex(6)}`,
      region: pick(REGIONS).name,
      kind,
      severity,
      status: active ? 'Active' : 'Resolved',
      titleEn: template.en,
      titleAr: template.ar,
      startedAt: active ? new Date(Date.UTC(2026, 10, 20, 6 + i)).toISOString().replace(/\.\d{3}Z$/, 'Z') : startedAt,
      resolvedAt: active ? null : new Date(Date.parse(startedAt) + int(10, 600) * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  healthEvents.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));

  return { tenants, subscriptions, resourceGroups, resources, quotas, healthEvents };
}

function resourceName(kind: ServiceKind, workload: string, index: number): string {
  const n = String(index).padStart(2, '0');
  switch (kind) {
    case 'VirtualMachine':
      return `vm-${workload}-${n}`;
    case 'Database':
      return `sql-${workload}-${n}`;
    case 'Storage':
      return `st${workload.replace(/[^a-z0-9]/g, '')}${n}`;
    case 'Kubernetes':
      return `aks-${workload}-${n}`;
    case 'Network':
      return `vnet-${workload}-${n}`;
  }
}

const HEALTH_TEMPLATES: Readonly<Record<ServiceKind, ReadonlyArray<{ en: string; ar: string }>>> = {
  VirtualMachine: [
    { en: 'Virtual machine start-up delays', ar: 'تأخر في تشغيل الأجهزة الافتراضية' },
    { en: 'Host maintenance with live migration', ar: 'صيانة المضيفات مع ترحيل مباشر' },
  ],
  Database: [
    { en: 'Elevated database connection failures', ar: 'ارتفاع حالات فشل الاتصال بقواعد البيانات' },
    { en: 'Automated backups delayed', ar: 'تأخر النسخ الاحتياطي التلقائي' },
  ],
  Storage: [
    { en: 'Increased storage latency', ar: 'زيادة زمن الاستجابة في التخزين' },
    { en: 'Storage replication lag to the recovery region', ar: 'تأخر نسخ التخزين إلى منطقة التعافي' },
  ],
  Kubernetes: [
    { en: 'Kubernetes control plane upgrades', ar: 'ترقيات مستوى التحكم في Kubernetes' },
    { en: 'Cluster autoscaling delays', ar: 'تأخر التوسع التلقائي للعناقيد' },
  ],
  Network: [
    { en: 'Packet loss on the inter-region backbone', ar: 'فقدان حزم على الشبكة الرئيسية بين المناطق' },
    { en: 'VPN gateway reconnections', ar: 'إعادة اتصال بوابات VPN' },
  ],
};

/** Months from `from` to `to` inclusive (YYYY-MM), newest first. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [year, month] = to.split('-').map(Number) as [number, number];
  for (let i = 0; i < 600; i++) {
    const text = `${year}-${String(month).padStart(2, '0')}`;
    if (text < from) break;
    out.push(text);
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return out;
}

export function daysInMonth(month: string): number {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m, 0)).getUTCDate();
}

/** A tenant's cost in QAR per service kind for one month, or undefined outside the seeded range. */
export function tenantMonthlyCost(tenant: TenantRow, month: string): Record<ServiceKind, number> | undefined {
  if (month < FIRST_COST_MONTH || month > LAST_COST_MONTH) return undefined;
  if (`${month}-31` < tenant.createdAt.slice(0, 10)) return undefined;
  const out = {} as Record<ServiceKind, number>;
  for (const kind of SERVICE_KINDS) {
    const variation = 0.85 + 0.3 * unitNoise(`${tenant.id}|${month}|${kind}`);
    out[kind] = Math.round(tenant.baseMonthlyQar * MIX[kind] * variation * 100) / 100;
  }
  return out;
}

/** One day's cost (QAR) and quantity for a tenant and kind: the month's cost spread over its days. */
export function tenantDailyUsage(tenant: TenantRow, date: string, kind: ServiceKind): { costQar: number; quantity: number; unit: string } | undefined {
  const month = date.slice(0, 7);
  const monthly = tenantMonthlyCost(tenant, month)?.[kind];
  if (monthly === undefined) return undefined;
  const days = daysInMonth(month);
  let total = 0;
  for (let d = 1; d <= days; d++) total += dayWeight(tenant.id, `${month}-${String(d).padStart(2, '0')}`, kind);
  const costQar = Math.round(((monthly * dayWeight(tenant.id, date, kind)) / total) * 100) / 100;
  const { unit, priceQar } = USAGE_UNITS[kind];
  return { costQar, quantity: Math.round((costQar / priceQar) * 100) / 100, unit };
}

function dayWeight(tenantId: string, date: string, kind: ServiceKind): number {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  // Friday and Saturday are the weekend in most GCC states: less interactive load.
  const weekend = weekday === 5 || weekday === 6 ? 0.7 : 1;
  return weekend * (0.8 + 0.4 * unitNoise(`${tenantId}|${date}|${kind}`));
}

export { QUOTA_UNITS, RESOURCE_TYPES };
