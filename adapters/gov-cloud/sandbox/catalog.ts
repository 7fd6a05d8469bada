/**
 * What the sandbox cloud sells: regions, resource types and SKUs. The adapter does not import this;
 * it reads the catalogue over HTTP (`GET /providers/Gcc.Cloud/skus`), as it would from the real cloud.
 */
export type ServiceKind = 'VirtualMachine' | 'Database' | 'Storage' | 'Kubernetes' | 'Network';
export const SERVICE_KINDS: readonly ServiceKind[] = ['VirtualMachine', 'Database', 'Storage', 'Kubernetes', 'Network'];

export interface RegionRow {
  readonly name: string;
  readonly en: string;
  readonly ar: string;
}

export const REGIONS: readonly RegionRow[] = [
  { name: 'qa-central-1', en: 'Qatar Central (Doha)', ar: 'قطر الوسطى (الدوحة)' },
  { name: 'qa-north-1', en: 'Qatar North (Al Khor)', ar: 'قطر الشمالية (الخور)' },
  { name: 'qa-south-1', en: 'Qatar South (Mesaieed), disaster recovery', ar: 'قطر الجنوبية (مسيعيد)، للتعافي من الكوارث' },
];

/** Resource-manager provider type of each service kind. */
export const RESOURCE_TYPES: Readonly<Record<ServiceKind, string>> = {
  VirtualMachine: 'Gcc.Compute/virtualMachines',
  Database: 'Gcc.Sql/databases',
  Storage: 'Gcc.Storage/storageAccounts',
  Kubernetes: 'Gcc.Kubernetes/clusters',
  Network: 'Gcc.Network/virtualNetworks',
};

/** The unit quotas of each kind are counted in. */
export const QUOTA_UNITS: Readonly<Record<ServiceKind, string>> = {
  VirtualMachine: 'vCPU',
  Database: 'vCore',
  Storage: 'TiB',
  Kubernetes: 'node',
  Network: 'network',
};

export interface SkuRow {
  readonly name: string;
  readonly kind: ServiceKind;
  /** Quota units one resource of this SKU takes. */
  readonly units: number;
  readonly regions: readonly string[];
  readonly monthlyPriceQar: number;
  readonly en: string;
  readonly ar: string;
  /**
   * Regions where the SKU is listed but has no free capacity: provisioning is accepted and then
   * fails (`AllocationFailed`), the sandbox's deterministic failure case.
   */
  readonly capacityShortIn?: readonly string[];
}

const ALL = REGIONS.map((r) => r.name);
const PRIMARY = ['qa-central-1', 'qa-north-1'];

export const SKUS: readonly SkuRow[] = [
  { name: 'GP-2', kind: 'VirtualMachine', units: 2, regions: ALL, monthlyPriceQar: 620, en: 'General purpose, 2 vCPU, 8 GiB', ar: 'للأغراض العامة، 2 معالج افتراضي، 8 غيغابايت' },
  { name: 'GP-4', kind: 'VirtualMachine', units: 4, regions: ALL, monthlyPriceQar: 1_240, en: 'General purpose, 4 vCPU, 16 GiB', ar: 'للأغراض العامة، 4 معالجات افتراضية، 16 غيغابايت' },
  { name: 'GP-8', kind: 'VirtualMachine', units: 8, regions: ALL, monthlyPriceQar: 2_480, en: 'General purpose, 8 vCPU, 32 GiB', ar: 'للأغراض العامة، 8 معالجات افتراضية، 32 غيغابايت' },
  { name: 'MEM-16', kind: 'VirtualMachine', units: 16, regions: PRIMARY, monthlyPriceQar: 6_900, en: 'Memory optimised, 16 vCPU, 128 GiB', ar: 'محسّن للذاكرة، 16 معالجًا افتراضيًا، 128 غيغابايت' },
  {
    name: 'GPU-A100-24',
    kind: 'VirtualMachine',
    units: 24,
    regions: PRIMARY,
    capacityShortIn: ['qa-north-1'],
    monthlyPriceQar: 41_000,
    en: 'GPU, 24 vCPU, 1 x A100',
    ar: 'معالج رسومي، 24 معالجًا افتراضيًا، A100 واحد',
  },
  { name: 'DB-GP-2', kind: 'Database', units: 2, regions: ALL, monthlyPriceQar: 1_450, en: 'Managed database, general purpose, 2 vCores', ar: 'قاعدة بيانات مُدارة للأغراض العامة، 2 نواة افتراضية' },
  { name: 'DB-GP-8', kind: 'Database', units: 8, regions: ALL, monthlyPriceQar: 5_800, en: 'Managed database, general purpose, 8 vCores', ar: 'قاعدة بيانات مُدارة للأغراض العامة، 8 أنوية افتراضية' },
  { name: 'DB-BC-16', kind: 'Database', units: 16, regions: PRIMARY, monthlyPriceQar: 19_500, en: 'Managed database, business critical, 16 vCores', ar: 'قاعدة بيانات مُدارة للأعمال الحرجة، 16 نواة افتراضية' },
  { name: 'STD-1T', kind: 'Storage', units: 1, regions: ALL, monthlyPriceQar: 180, en: 'Standard storage, 1 TiB', ar: 'تخزين قياسي، 1 تيرابايت' },
  { name: 'STD-10T', kind: 'Storage', units: 10, regions: ALL, monthlyPriceQar: 1_700, en: 'Standard storage, 10 TiB', ar: 'تخزين قياسي، 10 تيرابايت' },
  { name: 'PREM-1T', kind: 'Storage', units: 1, regions: PRIMARY, monthlyPriceQar: 520, en: 'Premium SSD storage, 1 TiB', ar: 'تخزين SSD ممتاز، 1 تيرابايت' },
  { name: 'K8S-3N', kind: 'Kubernetes', units: 3, regions: PRIMARY, monthlyPriceQar: 4_100, en: 'Kubernetes cluster, 3 nodes', ar: 'عنقود Kubernetes، 3 عقد' },
  { name: 'K8S-10N', kind: 'Kubernetes', units: 10, regions: PRIMARY, monthlyPriceQar: 13_200, en: 'Kubernetes cluster, 10 nodes', ar: 'عنقود Kubernetes، 10 عقد' },
  { name: 'VNET-STD', kind: 'Network', units: 1, regions: ALL, monthlyPriceQar: 90, en: 'Virtual network', ar: 'شبكة افتراضية' },
  { name: 'VNET-GW', kind: 'Network', units: 1, regions: ALL, monthlyPriceQar: 1_100, en: 'Virtual network with VPN gateway', ar: 'شبكة افتراضية مع بوابة VPN' },
];

export function findSku(name: string): SkuRow | undefined {
  return SKUS.find((sku) => sku.name === name);
}

export function kindOfResourceType(type: string): ServiceKind | undefined {
  return SERVICE_KINDS.find((kind) => RESOURCE_TYPES[kind].toLowerCase() === type.toLowerCase());
}
