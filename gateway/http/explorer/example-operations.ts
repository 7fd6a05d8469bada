/**
 * Example operations pre-loaded in the explorer, one tab each. They are run by the integration
 * tests too (test/explorer-examples.test.ts), so an example that stops working fails CI.
 */
export interface ExampleOperation {
  readonly title: string;
  /**
   * The purpose of use the tab declares (x-gccgw-purpose): a legal basis of the access policy,
   * needed for personal and financial fields.
   */
  readonly purpose?: string;
  /** Variables carry default values in the document, so every tab runs as it is. */
  readonly query: string;
}

export const EXAMPLE_OPERATIONS: readonly ExampleOperation[] = [
  {
    title: 'Budget beside cloud spend (join)',
    purpose: 'BUDGET_REVIEW',
    query: `# One query, two national systems: the entity comes from Mawared (HR & finance),
# its tenants and monthly cloud spend from the government cloud.
query EntityWithCloudSpend($state: MemberState! = QA, $code: String! = "MOF", $month: String! = "2026-10") {
  governmentEntity(state: $state, code: $code) {
    state
    code
    name { en ar }
    kind
    headcount
    cloudTenants { id displayName region status }
    cloudSpend(month: $month) {
      totalQar
      totalUsd
      byServiceKind { serviceKind amountQar }
    }
  }
}`,
  },
  {
    title: 'Mawared: government entities',
    query: `query GovernmentEntities($state: MemberState = QA, $first: Int = 5) {
  governmentEntities(state: $state, first: $first) {
    totalCount
    edges { cursor node { code name { en ar } kind headcount } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
  {
    title: 'Government cloud: tenants and owners',
    purpose: 'CLOUD_OPERATIONS',
    query: `query CloudTenants($state: MemberState = QA) {
  cloudTenants(state: $state) {
    id
    displayName
    status
    entity { state code name { en ar } }
  }
}`,
  },
];
