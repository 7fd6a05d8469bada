import { pageWindow, toConnection, type SubgraphResolvers } from '../kit/index.js';
import type { EntityRow, MawaredClient } from './mawared-client.js';

const KIND: Record<EntityRow['Kind'], string> = {
  Ministry: 'MINISTRY',
  Authority: 'AUTHORITY',
  Council: 'COUNCIL',
  Agency: 'AGENCY',
  Corporation: 'CORPORATION',
};

export interface GovernmentEntityValue {
  readonly state: string;
  readonly code: string;
  readonly name: { readonly en: string; readonly ar: string };
  readonly kind: string;
  readonly headcount: number;
}

export function toGovernmentEntity(row: EntityRow): GovernmentEntityValue {
  return { state: row.State, code: row.Code, name: { en: row.NameEn, ar: row.NameAr }, kind: KIND[row.Kind], headcount: row.Headcount };
}

export function createMawaredResolvers(client: MawaredClient): SubgraphResolvers {
  return {
    Query: {
      governmentEntity: async (_source: unknown, args: unknown) => {
        const { state, code } = args as { state: string; code: string };
        const row = await client.getEntity(state, code);
        return row === undefined ? null : toGovernmentEntity(row);
      },
      governmentEntities: async (_source: unknown, args: unknown) => {
        const { state, first, after } = args as { state?: string | null; first?: number | null; after?: string | null };
        const { skip, top } = pageWindow({ first: first ?? null, after: after ?? null }, { first: 20, maxFirst: 100 });
        const { rows, count } = await client.listEntities({ ...(state != null ? { state } : {}), skip, top });
        return toConnection(rows.map(toGovernmentEntity), skip, count);
      },
    },
    GovernmentEntity: {
      __resolveReference: async (reference: unknown) => {
        const { state, code } = reference as { state: string; code: string };
        const row = await client.getEntity(state, code);
        return row === undefined ? null : toGovernmentEntity(row);
      },
    },
  };
}
