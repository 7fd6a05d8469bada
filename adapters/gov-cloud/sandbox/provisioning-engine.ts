import { createHash } from 'node:crypto';
import { findSku, QUOTA_UNITS, type ServiceKind } from './catalog.js';
import type { ResourceRow, SeedData } from './seed.js';

/**
 * The sandbox's asynchronous provisioning. A request moves, one step apart:
 *
 *   Submitted --step--> Approved | Rejected (quota exceeded at approval)
 *   Approved  --step--> Provisioning (the resource exists, status Creating)
 *   Provisioning --step--> Succeeded (Running) | Failed (AllocationFailed; the resource is removed)
 *   any non-final --cancel--> Canceled (reservation released, a Creating resource removed)
 *
 * Time is read from the clock on every call and all due transitions are applied in time order, so
 * nothing runs in the background and a slow test machine cannot reorder them. Quota "committed" is
 * what existing resources use plus what approved requests reserve; submission checks the request
 * alone against it (synchronous 409), approval checks again (asynchronous rejection).
 */
export type Phase = 'Submitted' | 'Approved' | 'Provisioning' | 'Succeeded' | 'Failed' | 'Rejected' | 'Canceled';
const FINAL: ReadonlySet<Phase> = new Set(['Succeeded', 'Failed', 'Rejected', 'Canceled']);

export interface ProvisioningTarget {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly kind: ServiceKind;
  readonly type: string;
  readonly name: string;
  readonly sku: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Operation {
  readonly id: string;
  readonly target: ProvisioningTarget;
  readonly units: number;
  readonly idempotencyKey: string | undefined;
  readonly fingerprint: string;
  readonly submittedAt: number;
  phase: Phase;
  updatedAt: number;
  readonly history: Array<{ phase: Phase; at: number }>;
  error: { code: string; message: string } | undefined;
}

export type SubmitResult = { kind: 'created'; operation: Operation } | { kind: 'replayed'; operation: Operation } | { kind: 'error'; status: number; code: string; message: string };

export class ProvisioningEngine {
  readonly #data: SeedData;
  readonly #stepMillis: number;
  readonly #clock: () => number;
  readonly #operations = new Map<string, Operation>();
  readonly #byKey = new Map<string, Operation>();
  #sequence = 0;

  constructor(data: SeedData, options: { stepMillis: number; clock: () => number }) {
    this.#data = data;
    this.#stepMillis = options.stepMillis;
    this.#clock = options.clock;
  }

  get stepMillis(): number {
    return this.#stepMillis;
  }

  isFinal(phase: Phase): boolean {
    return FINAL.has(phase);
  }

  get(id: string): Operation | undefined {
    this.advance();
    return this.#operations.get(id);
  }

  /** Quota units committed by a tenant for a kind: existing resources plus approved reservations. */
  committed(tenantId: string, kind: ServiceKind): number {
    let used = 0;
    for (const resource of this.#data.resources) {
      if (resource.tenantId === tenantId && resource.kind === kind) used += findSku(resource.sku)?.units ?? 0;
    }
    for (const operation of this.#operations.values()) {
      if (operation.phase === 'Approved' && operation.target.tenantId === tenantId && operation.target.kind === kind) used += operation.units;
    }
    return used;
  }

  /** Whether a request is already in flight for this resource (a second PUT must not race it). */
  inFlightFor(target: Pick<ProvisioningTarget, 'subscriptionId' | 'resourceGroup' | 'type' | 'name'>): boolean {
    for (const operation of this.#operations.values()) {
      if (FINAL.has(operation.phase)) continue;
      const t = operation.target;
      if (t.subscriptionId === target.subscriptionId && t.resourceGroup.toLowerCase() === target.resourceGroup.toLowerCase() && t.type === target.type && t.name.toLowerCase() === target.name.toLowerCase()) {
        return true;
      }
    }
    return false;
  }

  /**
   * What a repeated idempotency key means: the same request again (answer with its operation), a
   * different request under a used key (refused), or a new key (undefined).
   */
  replay(target: ProvisioningTarget, idempotencyKey: string): SubmitResult | undefined {
    const previous = this.#byKey.get(idempotencyKey);
    if (previous === undefined) return undefined;
    if (previous.fingerprint === fingerprintOf(target)) return { kind: 'replayed', operation: previous };
    return { kind: 'error', status: 422, code: 'IdempotencyKeyReused', message: `The idempotency key '${idempotencyKey}' was already used for a different request.` };
  }

  submit(target: ProvisioningTarget, idempotencyKey: string | undefined): SubmitResult {
    this.advance();
    if (idempotencyKey !== undefined) {
      const replayed = this.replay(target, idempotencyKey);
      if (replayed !== undefined) return replayed;
    }
    const fingerprint = fingerprintOf(target);
    const sku = findSku(target.sku);
    if (sku === undefined) return { kind: 'error', status: 400, code: 'InvalidSku', message: `The SKU '${target.sku}' does not exist.` };
    const quota = this.#data.quotas.find((q) => q.tenantId === target.tenantId && q.kind === target.kind);
    const committed = this.committed(target.tenantId, target.kind);
    if (quota === undefined || committed + sku.units > quota.limit) {
      return {
        kind: 'error',
        status: 409,
        code: 'QuotaExceeded',
        message: `The request needs ${sku.units} ${QUOTA_UNITS[target.kind]}; the tenant has ${quota === undefined ? 0 : Math.max(0, quota.limit - committed)} of ${quota?.limit ?? 0} left.`,
      };
    }
    const now = this.#clock();
    this.#sequence += 1;
    const operation: Operation = {
      id: `op-${now.toString(36)}-${this.#sequence.toString(36).padStart(4, '0')}`,
      target,
      units: sku.units,
      idempotencyKey,
      fingerprint,
      submittedAt: now,
      phase: 'Submitted',
      updatedAt: now,
      history: [{ phase: 'Submitted', at: now }],
      error: undefined,
    };
    this.#operations.set(operation.id, operation);
    if (idempotencyKey !== undefined) this.#byKey.set(idempotencyKey, operation);
    return { kind: 'created', operation };
  }

  cancel(id: string): { kind: 'ok'; operation: Operation } | { kind: 'error'; status: number; code: string; message: string } {
    this.advance();
    const operation = this.#operations.get(id);
    if (operation === undefined) return { kind: 'error', status: 404, code: 'OperationNotFound', message: `Operation '${id}' was not found.` };
    if (FINAL.has(operation.phase)) {
      return { kind: 'error', status: 409, code: 'OperationAlreadyCompleted', message: `Operation '${id}' already finished (${operation.phase}); it cannot be cancelled.` };
    }
    if (operation.phase === 'Provisioning') this.#removeResource(operation.target);
    this.#transition(operation, 'Canceled', this.#clock());
    return { kind: 'ok', operation };
  }

  /** When the operation's next transition is due (ms since the epoch), or undefined when final. */
  nextTransitionAt(operation: Operation): number | undefined {
    if (FINAL.has(operation.phase)) return undefined;
    return operation.updatedAt + this.#stepMillis;
  }

  /** Applies every transition due by now, earliest first. */
  advance(): void {
    const now = this.#clock();
    for (;;) {
      let due: Operation | undefined;
      let dueAt = Infinity;
      for (const operation of this.#operations.values()) {
        const at = this.nextTransitionAt(operation);
        if (at !== undefined && at <= now && at < dueAt) {
          due = operation;
          dueAt = at;
        }
      }
      if (due === undefined) return;
      this.#step(due, dueAt);
    }
  }

  #step(operation: Operation, at: number): void {
    const { target } = operation;
    switch (operation.phase) {
      case 'Submitted': {
        const quota = this.#data.quotas.find((q) => q.tenantId === target.tenantId && q.kind === target.kind);
        const committed = this.committed(target.tenantId, target.kind);
        if (quota === undefined || committed + operation.units > quota.limit) {
          operation.error = {
            code: 'QuotaExceeded',
            message: `At approval the tenant had ${quota === undefined ? 0 : Math.max(0, quota.limit - committed)} ${QUOTA_UNITS[target.kind]} left; the request needs ${operation.units}.`,
          };
          this.#transition(operation, 'Rejected', at);
        } else {
          this.#transition(operation, 'Approved', at);
        }
        return;
      }
      case 'Approved': {
        const resource: ResourceRow = {
          tenantId: target.tenantId,
          subscriptionId: target.subscriptionId,
          resourceGroup: target.resourceGroup,
          kind: target.kind,
          name: target.name,
          sku: target.sku,
          location: target.location,
          status: 'Creating',
          tags: { ...target.tags },
          createdAt: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          version: 1,
        };
        this.#data.resources.push(resource);
        this.#transition(operation, 'Provisioning', at);
        return;
      }
      case 'Provisioning': {
        const sku = findSku(target.sku);
        if (sku?.capacityShortIn?.includes(target.location) === true) {
          this.#removeResource(target);
          operation.error = { code: 'AllocationFailed', message: `No capacity for ${target.sku} in ${target.location}; nothing was left behind. Try another region.` };
          this.#transition(operation, 'Failed', at);
        } else {
          const resource = this.#findResource(target);
          if (resource !== undefined) {
            resource.status = 'Running';
            resource.version += 1;
          }
          this.#transition(operation, 'Succeeded', at);
        }
        return;
      }
      default:
        return;
    }
  }

  #transition(operation: Operation, phase: Phase, at: number): void {
    operation.phase = phase;
    operation.updatedAt = at;
    operation.history.push({ phase, at });
  }

  #findResource(target: ProvisioningTarget): ResourceRow | undefined {
    return this.#data.resources.find(
      (r) => r.subscriptionId === target.subscriptionId && r.resourceGroup === target.resourceGroup && r.kind === target.kind && r.name.toLowerCase() === target.name.toLowerCase(),
    );
  }

  #removeResource(target: ProvisioningTarget): void {
    const resource = this.#findResource(target);
    if (resource === undefined) return;
    const index = this.#data.resources.indexOf(resource);
    if (index >= 0) this.#data.resources.splice(index, 1);
  }
}

function fingerprintOf(target: ProvisioningTarget): string {
  return createHash('sha256').update(JSON.stringify(canonical(target))).digest('base64url');
}

function canonical(target: ProvisioningTarget): unknown {
  return {
    ...target,
    resourceGroup: target.resourceGroup.toLowerCase(),
    name: target.name.toLowerCase(),
    tags: Object.fromEntries(Object.entries(target.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
