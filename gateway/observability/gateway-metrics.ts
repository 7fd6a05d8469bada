import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Latency buckets in seconds, from sub-millisecond in-process calls to the longest subgraph timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Operation names are client-chosen: cap the label values so a client cannot explode the series. */
const MAX_OPERATION_LABELS = 500;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export type OperationOutcome = 'success' | 'partial' | 'error' | 'rejected';
export type SubgraphOutcome = 'success' | 'graphql_error' | 'timeout' | 'unavailable' | 'bad_response' | 'circuit_open';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways may run in one
 * process, e.g. in tests). Names follow Prometheus conventions: `_total` counters, `_seconds` units.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #operationNames = new Set<string>();

  readonly httpRequests = new Counter({
    name: 'gccgw_http_requests_total',
    help: 'HTTP requests by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly operations = new Counter({
    name: 'gccgw_graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome.',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'gccgw_graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation, from request to response.',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'gccgw_graphql_errors_total',
    help: 'GraphQL errors returned to clients, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly subgraphRequests = new Counter({
    name: 'gccgw_subgraph_requests_total',
    help: 'Calls from the gateway to subgraphs, by subgraph and outcome (each retry counts).',
    labelNames: ['subgraph', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly subgraphDuration = new Histogram({
    name: 'gccgw_subgraph_request_duration_seconds',
    help: 'Duration of one call to a subgraph.',
    labelNames: ['subgraph'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly subgraphRetries = new Counter({
    name: 'gccgw_subgraph_retries_total',
    help: 'Retries of idempotent subgraph calls.',
    labelNames: ['subgraph'] as const,
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'gccgw_subgraph_circuit_open',
    help: '1 while the circuit breaker of a subgraph is open, else 0.',
    labelNames: ['subgraph'] as const,
    registers: [this.registry],
  });
  readonly supergraphReloads = new Counter({
    name: 'gccgw_supergraph_reloads_total',
    help: 'Supergraph loads and reloads by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'gccgw_http_in_flight_requests',
    help: 'Requests being processed.',
    registers: [this.registry],
  });

  constructor(options: { collectProcessMetrics?: boolean } = {}) {
    if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'gccgw_' });
  }

  /** A bounded label value for a client-supplied operation name. */
  operationLabel(name: string | null | undefined): string {
    if (name == null || name === '') return '(anonymous)';
    if (!OPERATION_NAME.test(name)) return '(invalid)';
    if (this.#operationNames.has(name)) return name;
    if (this.#operationNames.size >= MAX_OPERATION_LABELS) return '(other)';
    this.#operationNames.add(name);
    return name;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
