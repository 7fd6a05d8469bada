import { AdapterError, type SubgraphResolvers } from '../kit/index.js';
import type { GovCloudClient, TenantResource } from './gov-cloud-client.js';

/** QAR is pegged to the US dollar at 3.64. */
const QAR_PER_USD = 3.64;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const STATUS: Record<TenantResource['properties']['provisioningState'], string> = {
  Active: 'ACTIVE',
  Suspended: 'SUSPENDED',
  Decommissioning: 'DECOMMISSIONING',
};

const SERVICE_KIND: Record<string, string> = {
  VirtualMachine: 'VIRTUAL_MACHINE',
  Database: 'DATABASE',
  Storage: 'STORAGE',
  Kubernetes: 'KUBERNETES',
  Network: 'NETWORK',
};

function toTenant(resource: TenantResource): Record<string, unknown> {
  return {
    id: resource.name,
    displayName: resource.properties.displayName,
    entity: { state: resource.properties.entity.state, code: resource.properties.entity.code },
    region: resource.location,
    status: STATUS[resource.properties.provisioningState],
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function createGovCloudResolvers(client: GovCloudClient): SubgraphResolvers {
  return {
    Query: {
      cloudTenants: async (_source: unknown, args: unknown) => {
        const { state } = args as { state?: string | null };
        return (await client.listTenants(state != null ? { state } : {})).map(toTenant);
      },
      cloudTenant: async (_source: unknown, args: unknown) => {
        const resource = await client.getTenant((args as { id: string }).id);
        return resource === undefined ? null : toTenant(resource);
      },
    },
    CloudTenant: {
      __resolveReference: async (reference: unknown) => {
        const resource = await client.getTenant((reference as { id: string }).id);
        return resource === undefined ? null : toTenant(resource);
      },
    },
    GovernmentEntity: {
      __resolveReference: (reference: unknown) => {
        const { state, code } = reference as { state: string; code: string };
        return { state, code };
      },
      cloudTenants: async (entity: unknown) => {
        const { state, code } = entity as { state: string; code: string };
        return (await client.listTenants({ state, code })).map(toTenant);
      },
      cloudSpend: async (entity: unknown, args: unknown) => {
        const { state, code } = entity as { state: string; code: string };
        const { month } = args as { month: string };
        if (!MONTH.test(month)) throw new AdapterError('ERR_BAD_USER_INPUT', `"month" must be a calendar month as YYYY-MM, got "${month.slice(0, 20)}"`);
        const tenants = await client.listTenants({ state, code });
        if (tenants.length === 0) return null;
        const costs = await Promise.all(tenants.map((tenant) => client.getMonthlyCost(tenant.name, month)));
        const byKind = new Map<string, number>();
        for (const cost of costs) {
          if (cost === undefined) continue;
          if (cost.currency !== 'QAR') throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', `gov-cloud reported costs in ${cost.currency}, expected QAR`, { adapter: 'gov-cloud' });
          for (const row of cost.rows) byKind.set(row.serviceKind, (byKind.get(row.serviceKind) ?? 0) + row.amount);
        }
        if (costs.every((cost) => cost === undefined)) return null;
        const byServiceKind = [...byKind.entries()].map(([kind, amount]) => ({
          serviceKind: SERVICE_KIND[kind] ?? kind,
          amountQar: round2(amount),
          amountUsd: round2(amount / QAR_PER_USD),
        }));
        const totalQar = round2(byServiceKind.reduce((sum, row) => sum + row.amountQar, 0));
        return { month, totalQar, totalUsd: round2(totalQar / QAR_PER_USD), byServiceKind };
      },
    },
  };
}
