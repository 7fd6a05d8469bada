import { parse as parseGraphQL, Kind, OperationTypeNode } from 'graphql';
import { z } from 'zod';

/**
 * The gateway's configuration schema: the single source of truth for every key, its unit and its
 * default. `gateway.config.yaml` and `GCCGW_*` environment variables are validated against it in
 * `load-config.ts`; nothing else in the gateway reads the environment.
 */

const MEMBER_STATES = ['BH', 'KW', 'OM', 'QA', 'SA', 'AE'] as const;
const CLIENT_ID = /^GCC:(BH|KW|OM|QA|SA|AE):[A-Z0-9]{2,16}:[A-Za-z0-9-]{1,64}(:[A-Za-z0-9._-]{1,64})?$/;
const SUBGRAPH_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const port = z.number().int().min(0).max(65535);
const millis = z.number().int().min(1).max(3_600_000);

const retrySchema = z
  .strictObject({
    /** Total attempts for a query, including the first. Mutations are never retried. */
    maxAttempts: z.number().int().min(1).max(5).default(2),
    /** First backoff; doubles each attempt, with jitter. */
    backoffMillis: z.number().int().min(0).max(10_000).default(100),
  })
  .default({ maxAttempts: 2, backoffMillis: 100 });

const circuitBreakerSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Consecutive failed calls that open the circuit. */
    failureThreshold: z.number().int().min(1).max(1000).default(5),
    /** How long an open circuit refuses calls before one trial call is let through. */
    resetTimeoutMillis: millis.default(10_000),
  })
  .default({ enabled: true, failureThreshold: 5, resetTimeoutMillis: 10_000 });

const subgraphDefaultsSchema = z
  .strictObject({
    timeoutMillis: millis.default(10_000),
    retry: retrySchema,
    circuitBreaker: circuitBreakerSchema,
  })
  .default({
    timeoutMillis: 10_000,
    retry: { maxAttempts: 2, backoffMillis: 100 },
    circuitBreaker: { enabled: true, failureThreshold: 5, resetTimeoutMillis: 10_000 },
  });

const subgraphOverrideSchema = z.strictObject({
  /** Replaces the URL written in the supergraph (e.g. per environment). */
  url: z.url({ protocol: /^https?$/ }).optional(),
  timeoutMillis: millis.optional(),
  retry: z.strictObject({ maxAttempts: z.number().int().min(1).max(5), backoffMillis: z.number().int().min(0).max(10_000) }).optional(),
});

const adapterSchema = z.strictObject({
  name: z.string().regex(SUBGRAPH_NAME, 'lower-case letters, digits and dashes'),
  /** Base URL of the national system. When absent, the adapter's sandbox is started and used. */
  upstreamUrl: z.url({ protocol: /^https?$/ }).optional(),
  upstreamTimeoutMillis: millis.default(5_000),
});

/**
 * Service quality (gateway/quality): SLOs per shared service and optionally per caller's member
 * state, synthetic probes, the measurement store, incidents and channel feedback.
 */
const sloSchema = z.strictObject({
  /** A subgraph (shared service) name, or `gateway` for whole GraphQL operations end to end. */
  service: z.string().regex(SUBGRAPH_NAME, 'a subgraph name, or gateway'),
  /** Only traffic from callers of this member state; without it the SLO covers all traffic of the service. */
  state: z.enum(MEMBER_STATES).optional(),
  /** Share of calls that must not fail (see gateway/quality/README.md for what a failure is), e.g. 0.995. */
  availabilityTarget: z.number().gt(0.5).lt(1),
  /** 95th percentile of call latency the service should stay under. */
  latencyP95TargetMillis: z.number().int().min(1).max(600_000),
  /** The rolling window over which the error budget is counted. */
  errorBudgetPeriodDays: z.number().int().min(1).max(90).default(30),
});

/** A probe's query must parse and hold exactly one operation, a query: probes never change anything. */
function isProbeQuery(text: string): boolean {
  try {
    const operations = parseGraphQL(text).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    return operations.length === 1 && operations[0]?.kind === Kind.OPERATION_DEFINITION && operations[0].operation === OperationTypeNode.QUERY;
  } catch {
    return false;
  }
}

const probeSchema = z.strictObject({
  /** The service the probe's outcome is recorded for. */
  service: z.string().regex(SUBGRAPH_NAME, 'a subgraph name'),
  /** A GraphQL query run through the gateway's own execution path (supergraph, subgraph executors). */
  query: z.string().min(1).max(10_000).refine(isProbeQuery, 'a GraphQL document with exactly one operation, a query'),
  intervalSeconds: z.number().int().min(1).max(3600).default(30),
  /** A probe without an answer by then counts as failed. */
  timeoutMillis: millis.default(5_000),
});

const DEFAULT_SLOS = [
  { service: 'gateway', availabilityTarget: 0.995, latencyP95TargetMillis: 1_000, errorBudgetPeriodDays: 30 },
  { service: 'mawared', availabilityTarget: 0.995, latencyP95TargetMillis: 800, errorBudgetPeriodDays: 30 },
  { service: 'mawared', state: 'QA' as const, availabilityTarget: 0.999, latencyP95TargetMillis: 500, errorBudgetPeriodDays: 30 },
  { service: 'gov-cloud', availabilityTarget: 0.99, latencyP95TargetMillis: 1_500, errorBudgetPeriodDays: 30 },
];
const DEFAULT_PROBES = [
  { service: 'mawared', query: 'query QualityProbeMawared { governmentEntity(state: QA, code: "MOF") { code } }', intervalSeconds: 30, timeoutMillis: 5_000 },
  { service: 'gov-cloud', query: 'query QualityProbeGovCloud { serviceHealthEvents(first: 1) { totalCount } }', intervalSeconds: 30, timeoutMillis: 5_000 },
];
const DEFAULT_SERVICE_TITLES = {
  gateway: { en: 'GCC Interop Gateway (end to end)', ar: 'بوابة التكامل الحكومي الخليجية (من طرف إلى طرف)' },
  mawared: { en: 'Mawared HR & finance', ar: 'موارد للموارد البشرية والمالية' },
  'gov-cloud': { en: 'Government cloud', ar: 'السحابة الحكومية' },
  quality: { en: 'Service feedback (gateway)', ar: 'تقييم الخدمات (البوابة)' },
};
const DEFAULT_FEEDBACK = { enabled: true, storeComments: true, commentMaxChars: 500, rateLimit: { burst: 30, refillPerMinute: 30 } };
const DEFAULT_CLOUD_HEALTH = { enabled: true, service: 'gov-cloud', refreshSeconds: 60 };

const qualitySchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Measurement and feedback store (relative to the config file, or the working directory). */
    dir: z.string().min(1).default('var/quality'),
    slos: z
      .array(sloSchema)
      .default(DEFAULT_SLOS)
      .refine((slos) => new Set(slos.map((s) => `${s.service}/${s.state ?? '*'}`)).size === slos.length, 'one SLO per service and state'),
    probes: z.array(probeSchema).default(DEFAULT_PROBES),
    /** Names shown on the status page and in reports, by service. */
    serviceTitles: z.record(z.string().regex(SUBGRAPH_NAME), z.strictObject({ en: z.string().min(1).max(200), ar: z.string().min(1).max(200) })).default(DEFAULT_SERVICE_TITLES),
    /** Measurements and feedback older than this are deleted. */
    retentionDays: z.number().int().min(32).max(3660).default(400),
    /** Minute buckets older than this are merged into hour buckets (percentiles stay computable). */
    compactAfterDays: z.number().int().min(1).max(31).default(2),
    /** Active incidents of the government cloud's service health, read through the supergraph. */
    cloudHealthIncidents: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** The subgraph that serves `Query.serviceHealthEvents`. */
        service: z.string().regex(SUBGRAPH_NAME).default('gov-cloud'),
        refreshSeconds: z.number().int().min(5).max(3600).default(60),
      })
      .default(DEFAULT_CLOUD_HEALTH),
    /** The `submitServiceFeedback` mutation (the gateway-owned `quality` subgraph). */
    feedback: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Keep comments (after personal-data redaction); false keeps only the rating. */
        storeComments: z.boolean().default(true),
        /** Longer comments are refused. */
        commentMaxChars: z.number().int().min(0).max(4000).default(500),
        /** Token bucket per caller (ClientId): `burst` submissions at once, refilled at `refillPerMinute`. */
        rateLimit: z
          .strictObject({ burst: z.number().int().min(1).max(100_000).default(30), refillPerMinute: z.number().int().min(1).max(1_000_000).default(30) })
          .default({ burst: 30, refillPerMinute: 30 }),
      })
      .default(DEFAULT_FEEDBACK),
  })
  .default({
    enabled: true,
    dir: 'var/quality',
    slos: DEFAULT_SLOS,
    probes: DEFAULT_PROBES,
    serviceTitles: DEFAULT_SERVICE_TITLES,
    retentionDays: 400,
    compactAfterDays: 2,
    cloudHealthIncidents: DEFAULT_CLOUD_HEALTH,
    feedback: DEFAULT_FEEDBACK,
  });

export const gatewayConfigSchema = z.strictObject({
  server: z
    .strictObject({
      /**
       * The loopback-only plain-HTTP port. Every request on it acts as `demoClientId`: it is for
       * trying queries on a laptop and is labelled insecure everywhere it appears.
       */
      insecureDemoPort: z
        .strictObject({
          enabled: z.boolean().default(true),
          host: z.enum(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'),
          port: port.default(4000),
          demoClientId: z.string().regex(CLIENT_ID, 'a ClientId like GCC:QA:GOV:CSGDB:hr-portal').default('GCC:QA:GOV:CSGDB:hr-portal'),
        })
        .default({ enabled: true, host: '127.0.0.1', port: 4000, demoClientId: 'GCC:QA:GOV:CSGDB:hr-portal' }),
      /** Largest accepted request body. */
      bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
      /** On SIGTERM/SIGINT, how long in-flight requests may take to finish before sockets are closed. */
      shutdownGracePeriodMillis: millis.default(10_000),
      /** Incoming `x-request-id` values are kept when they look sane, else replaced. */
      trustRequestIdHeader: z.boolean().default(true),
    })
    .default({
      insecureDemoPort: { enabled: true, host: '127.0.0.1', port: 4000, demoClientId: 'GCC:QA:GOV:CSGDB:hr-portal' },
      bodyLimitBytes: 1024 * 1024,
      shutdownGracePeriodMillis: 10_000,
      trustRequestIdHeader: true,
    }),
  supergraph: z
    .strictObject({
      /**
       * `embedded`: compose the built-in adapters' SDL and run them in-process.
       * `file`: load a composed supergraph whose subgraphs are remote URLs (production).
       */
      source: z.enum(['embedded', 'file']).default('embedded'),
      /** Path of the supergraph SDL when `source` is `file`. */
      file: z.string().min(1).optional(),
      /** Reload when the file changes (SIGHUP always reloads). */
      watch: z.boolean().default(true),
    })
    .default({ source: 'embedded', watch: true })
    .refine((s) => s.source !== 'file' || s.file !== undefined, { message: 'supergraph.file is required when supergraph.source is "file"', path: ['file'] }),
  adapters: z
    .array(adapterSchema)
    .default([
      { name: 'mawared', upstreamTimeoutMillis: 5_000 },
      { name: 'gov-cloud', upstreamTimeoutMillis: 5_000 },
    ]),
  subgraphs: z
    .strictObject({
      defaults: subgraphDefaultsSchema,
      overrides: z.record(z.string().regex(SUBGRAPH_NAME), subgraphOverrideSchema).default({}),
    })
    .default({
      defaults: {
        timeoutMillis: 10_000,
        retry: { maxAttempts: 2, backoffMillis: 100 },
        circuitBreaker: { enabled: true, failureThreshold: 5, resetTimeoutMillis: 10_000 },
      },
      overrides: {},
    }),
  audit: z
    .strictObject({
      /** Record every exchange in the evidence log. */
      enabled: z.boolean().default(true),
      /** Directory of the log (relative to the config file, or the working directory). */
      dir: z.string().min(1).default('var/audit'),
      /**
       * `sync`: a response is released only after its record is on disk. `batch`: records are
       * written within `batchMaxDelayMillis`; a crash may lose that window.
       */
      durability: z.enum(['sync', 'batch']).default('sync'),
      /** Group-commit window. @default 5 in sync mode, 50 in batch mode */
      batchMaxDelayMillis: z.number().int().min(0).max(10_000).optional(),
      segmentMaxBytes: z.number().int().min(4096).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
      /** Argument and input-field names whose values identify a data subject (recorded as keyed hashes). */
      subjectArguments: z.array(z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/)).default(['nationalId']),
      /**
       * Signed checkpoints of the head, by the gateway's signing identity; with `tsa`, each is also
       * stamped by an RFC 3161 timestamp authority listed in the trust list.
       */
      checkpoints: z
        .strictObject({
          /** PEM private key of the gateway's signing certificate. */
          signingKeyFile: z.string().min(1),
          /** PEM chain: the signing certificate, then its issuers. */
          signingChainFile: z.string().min(1),
          everyRecords: z.number().int().min(1).max(10_000_000).default(10_000),
          everyMillis: z.number().int().min(1_000).max(86_400_000).default(60_000),
          tsa: z
            .strictObject({
              url: z.url({ protocol: /^https?$/ }),
              /** The signed trust list that lists the TSA, and the pinned operator certificate. */
              trustListFile: z.string().min(1),
              operatorAnchorFile: z.string().min(1),
            })
            .optional(),
        })
        .optional(),
    })
    .default({ enabled: true, dir: 'var/audit', durability: 'sync', segmentMaxBytes: 64 * 1024 * 1024, subjectArguments: ['nationalId'] }),
  quality: qualitySchema,
  explorer: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  metrics: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      format: z.enum(['auto', 'json', 'pretty']).default('auto'),
    })
    .default({ level: 'info', format: 'auto' }),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type AdapterConfig = GatewayConfig['adapters'][number];
export type SubgraphDefaults = GatewayConfig['subgraphs']['defaults'];
export type SubgraphOverride = z.infer<typeof subgraphOverrideSchema>;
export type QualityConfig = GatewayConfig['quality'];
export type SloConfig = QualityConfig['slos'][number];
export type ProbeConfig = QualityConfig['probes'][number];
export { MEMBER_STATES };
