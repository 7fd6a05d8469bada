/**
 * Benchmarks of single components that the harness reports beside the gateway comparison. Each
 * issue that owns a component adds or completes its entry here; until then the harness prints the
 * entry as pending, so the place for its figures is visible in every report.
 */
export interface ComponentBenchmark {
  readonly name: string;
  /** The issue that adds or owns the figures. */
  readonly owner: string;
  /** `separate`: a script of its own, run by hand (see `command`); `pending`: not built yet. */
  readonly status: 'separate' | 'pending';
  readonly command?: string;
  readonly targets: string;
}

export const COMPONENT_BENCHMARKS: readonly ComponentBenchmark[] = [
  {
    name: 'evidence log',
    owner: 'evidence-log issue',
    status: 'separate',
    command: 'node dist/bench/audit/evidence-log-bench.js',
    targets: 'batch appends >= 20,000 records/s, verification >= 200,000 records/s',
  },
  {
    name: 'trust (JWS verify, chain validation)',
    owner: 'trust issue',
    status: 'separate',
    command: 'node dist/bench/trust/jws-verify-bench.js [--rounds N] [--seconds S]',
    targets: 'cached-chain verify >= 0.80x raw node:crypto; cold 3-certificate validation time',
  },
  {
    name: 'events (signed CloudEvents, publish -> deliver)',
    owner: 'events issue',
    status: 'separate',
    command: 'node dist/bench/events/events-bench.js [events] [rate/s] [seconds] [embedded,kafka] [event,batch]',
    targets: '>= 5,000 signed events/s end to end and p99 at 1,000 events/s, both transports; batch signing (Merkle root per batch) >= 20,000/s',
  },
];
