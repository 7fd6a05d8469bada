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
    /**
     * Identical query calls to a subgraph that are in flight at the same time, for the same
     * caller (ClientId) and purpose, share one call. Mutations are never shared.
     */
    deduplicateInflightQueries: z.boolean().default(true),
  })
  .default({
    timeoutMillis: 10_000,
    retry: { maxAttempts: 2, backoffMillis: 100 },
    circuitBreaker: { enabled: true, failureThreshold: 5, resetTimeoutMillis: 10_000 },
    deduplicateInflightQueries: true,
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

const KAFKA_BROKER = /^[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/;
const CONSUMER_GROUP = /^[A-Za-z0-9._:-]{1,200}$/;

const EVENTS_DEFAULTS = {
  enabled: true,
  transport: 'embedded' as const,
  embedded: { dir: 'var/events/log', partitions: 3 },
  outbox: { dir: 'var/events/outbox', batchSize: 200, retryMillis: 200 },
  received: { dir: 'var/events/received', maxEvents: 100_000 },
  signing: { mode: 'event' as const },
  startAt: 'earliest' as const,
};

/**
 * Cross-border events (DESIGN.md, "Cross-border events"): the transport, the outbox, the store of
 * received events that `events(after:)` reads, and the consumer group. The gateway subscribes to
 * its own state's topics (`gcc.<state>.<domain>`) and the broadcast ones (`gcc.all.<domain>`) for
 * every domain of the event catalogue; its state is the one in its signing certificate's ClientId.
 */
const eventsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** `embedded`: a durable log on local disk (no broker, one process). `kafka`: kafkajs to `kafka.brokers`. */
    transport: z.enum(['embedded', 'kafka']).default('embedded'),
    embedded: z
      .strictObject({
        /** Directory of the local log (relative to the config file, or the working directory). */
        dir: z.string().min(1).default('var/events/log'),
        /** Partitions of each topic this log creates. */
        partitions: z.number().int().min(1).max(64).default(3),
      })
      .default({ dir: 'var/events/log', partitions: 3 }),
    kafka: z
      .strictObject({
        /** Bootstrap brokers, `host:port`. */
        brokers: z.array(z.string().regex(KAFKA_BROKER, 'host:port')).min(1),
        clientId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).default('gccgw'),
        /** TLS to the brokers, verified against the system's CAs. */
        ssl: z.boolean().default(false),
        requestTimeoutMillis: millis.default(10_000),
        /** Partitions of topics the gateway creates. */
        partitions: z.number().int().min(1).max(1000).default(3),
      })
      .optional(),
    /** The durable outbox every produced event is written to first (then relayed to the transport). */
    outbox: z
      .strictObject({
        dir: z.string().min(1).default('var/events/outbox'),
        /** Records per transport call. */
        batchSize: z.number().int().min(1).max(10_000).default(200),
        /** First wait after a failed publish; doubles up to 5 s. */
        retryMillis: z.number().int().min(10).max(60_000).default(200),
      })
      .default({ dir: 'var/events/outbox', batchSize: 200, retryMillis: 200 }),
    /**
     * How the gateway signs the events it produces (adapters' events; events members publish keep
     * their own signature). `event`: one detached JWS per event (`ce_jws`). `batch`: the outbox
     * relay signs each batch it publishes once, over the RFC 9162 Merkle root of the batch's
     * canonical events, and every event carries its inclusion proof (`ce_jwsproof`), so it is
     * still verifiable on its own. Consumers accept both whatever this is set to.
     */
    signing: z
      .strictObject({
        mode: z.enum(['event', 'batch']).default('event'),
      })
      .default({ mode: 'event' }),
    /** Verified events kept for `events(after:)` catch-up, oldest dropped first. */
    received: z
      .strictObject({
        dir: z.string().min(1).default('var/events/received'),
        maxEvents: z.number().int().min(100).max(10_000_000).default(100_000),
      })
      .default({ dir: 'var/events/received', maxEvents: 100_000 }),
    /**
     * Consumer group of this gateway. Instances with the same group share the partitions (each
     * event is verified and delivered once among them); give each instance its own group when each
     * must see every event (its own subscribers, its own revocation refresh).
     * @default `gccgw.<gateway ClientId>`
     */
    consumerGroup: z.string().regex(CONSUMER_GROUP).optional(),
    /** Where a consumer group without a committed position starts. */
    startAt: z.enum(['earliest', 'latest']).default('earliest'),
  })
  .default(EVENTS_DEFAULTS)
  .refine((e) => e.transport !== 'kafka' || e.kafka !== undefined, { message: 'events.kafka.brokers is required when events.transport is "kafka"', path: ['kafka'] });
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
      /**
       * `query-plan`: queries run on the gateway's own query planner, other operations on the
       * stitched schema of @graphql-tools/federation; `stitching`: everything on the stitched schema.
       */
      execution: z.enum(['query-plan', 'stitching']).default('query-plan'),
      /** Path of the supergraph SDL when `source` is `file`. */
      file: z.string().min(1).optional(),
      /** Reload when the file changes (SIGHUP always reloads). */
      watch: z.boolean().default(true),
    })
    .default({ source: 'embedded', execution: 'query-plan', watch: true })
    .refine((s) => s.source !== 'file' || s.file !== undefined, { message: 'supergraph.file is required when supergraph.source is "file"', path: ['file'] }),
  adapters: z
    .array(adapterSchema)
    .default([
      { name: 'mawared', upstreamTimeoutMillis: 5_000 },
      { name: 'gov-cloud', upstreamTimeoutMillis: 5_000 },
    ]),
  subgraphs: z
    .strictObject({
      /**
       * Sign the caller's identity and purpose on every call to a remote subgraph
       * (`x-gccgw-context`), for subgraphs started with `--gateway-cert`. Off only where no remote
       * subgraph checks it (e.g. a benchmark of the gateway with its security off).
       */
      signContext: z.boolean().default(true),
      defaults: subgraphDefaultsSchema,
      overrides: z.record(z.string().regex(SUBGRAPH_NAME), subgraphOverrideSchema).default({}),
    })
    .default({
      signContext: true,
      defaults: {
        timeoutMillis: 10_000,
        retry: { maxAttempts: 2, backoffMillis: 100 },
        circuitBreaker: { enabled: true, failureThreshold: 5, resetTimeoutMillis: 10_000 },
        deduplicateInflightQueries: true,
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
      /** Extra group-commit window. @default 0 in sync mode (records that arrive during one fsync go in the next), 50 in batch mode */
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
      /**
       * Retention: closed segments past the limit are removed, each removal first stated in the
       * chain by a signed `retention` record, and by default only once a verified archive holds
       * them (gateway/audit/evidence-retention.ts). Absent: nothing is ever removed.
       */
      retention: z
        .strictObject({
          /** Remove closed segments whose newest record is older than this. */
          keepDays: z.number().positive().max(36_500).optional(),
          /** Always keep the newest N segments (the one being written included; at least 2). */
          keepSegments: z.number().int().min(2).max(10_000_000).optional(),
          /** Remove a segment only once a verified archive in `archiveDir` holds it. `false` keeps only a signed checkpoint's hash of what goes. */
          requireArchive: z.boolean().default(true),
          /** Where archives are looked for and written (put it on other storage, or ship its files away). */
          archiveDir: z.string().min(1).default('var/audit-archive'),
          /** Archive due segments no archive holds yet, with the gateway's signing identity. */
          writeArchives: z.boolean().default(true),
          /** How often the gateway runs a retention pass (and once at start). */
          checkIntervalMillis: z.number().int().min(1_000).max(86_400_000).default(3_600_000),
        })
        .refine((r) => r.keepDays !== undefined || r.keepSegments !== undefined, { message: 'audit.retention needs keepDays or keepSegments' })
        .optional(),
    })
    .default({ enabled: true, dir: 'var/audit', durability: 'sync', segmentMaxBytes: 64 * 1024 * 1024, subjectArguments: ['nationalId'] }),
  /**
   * Where trust comes from. `demo`: a complete demo GCC PKI is generated under `pkiDir` on first
   * start (trust list, CAs, agencies, the gateway's certificates) and its OCSP / CRL / TSA servers
   * run in-process: for laptops and tests only. `files`: the signed trust list, the pinned operator
   * certificate and the gateway's keys come from files (production).
   */
  trust: z
    .strictObject({
      mode: z.enum(['demo', 'files']).default('demo'),
      pkiDir: z.string().min(1).default('var/pki'),
      /** Which demo-PKI state this gateway belongs to (demo mode). */
      demoState: z.enum(['QA', 'SA']).default('QA'),
      /** Signed trust list (JWS with x5c); hot-reloaded when the file changes. */
      trustListFile: z.string().min(1).optional(),
      /** The pinned trust-list operator certificate (PEM). */
      operatorAnchorFile: z.string().min(1).optional(),
      /** After nextUpdate, how long the held list is still used before traffic is refused. */
      nextUpdateGraceSeconds: z.number().int().min(0).max(30 * 86_400).default(3600),
      /** The gateway's TLS server key and chain (PEM, server certificate first). */
      serverKeyFile: z.string().min(1).optional(),
      serverChainFile: z.string().min(1).optional(),
      /** The gateway's signing key and chain (responses, checkpoints, events). */
      signingKeyFile: z.string().min(1).optional(),
      signingChainFile: z.string().min(1).optional(),
      /** Upper bound for reusing a revocation answer or a validated chain. */
      revocationCacheTtlSeconds: z.number().int().min(1).max(86_400).default(300),
    })
    .default({ mode: 'demo', pkiDir: 'var/pki', demoState: 'QA', nextUpdateGraceSeconds: 3600, revocationCacheTtlSeconds: 300 })
    .refine((t) => t.mode !== 'files' || (t.trustListFile && t.operatorAnchorFile && t.serverKeyFile && t.serverChainFile && t.signingKeyFile && t.signingChainFile), {
      message: 'trust.mode "files" needs trustListFile, operatorAnchorFile, serverKeyFile, serverChainFile, signingKeyFile and signingChainFile',
    }),
  /** Member-state access: the mutual-TLS port, request signatures, purpose, policy and limits. */
  access: z
    .strictObject({
      /** The member-state port: mutual TLS, always on. */
      mtls: z
        .strictObject({
          host: z.string().min(1).default('0.0.0.0'),
          port: port.default(4443),
        })
        .default({ host: '0.0.0.0', port: 4443 }),
      /** The access policy document (YAML or JSON, schemas/policy.schema.json). */
      policyFile: z.string().min(1).default('config/access-policy.yaml'),
      /** How far a request's signing time may be from the gateway's clock. */
      maxClockSkewSeconds: z.number().int().min(1).max(3600).default(300),
      /** Sign every response on the mTLS port (detached JWS bound to the request hash). */
      signResponses: z.boolean().default(true),
      /**
       * Where the member port's public-key operations run (request signature checks, response and
       * subgraph-context signatures): `thread-pool` (libuv, other cores), `event-loop` (in the
       * call, no thread round trips), or `auto`: the pool with 4 or more cores, else the event loop.
       */
      publicKeyOperations: z.enum(['auto', 'event-loop', 'thread-pool']).default('auto'),
      /** Whole-request deadline, from the first byte to the response. */
      requestTimeoutMillis: millis.default(30_000),
      /** Largest batch (JSON array of operations) in one request; 1 = batching off. */
      maxBatchSize: z.number().int().min(1).max(100).default(1),
      limits: z
        .strictObject({
          maxDepth: z.number().int().min(1).max(100).default(12),
          maxAliases: z.number().int().min(0).max(10_000).default(30),
          maxRootFields: z.number().int().min(1).max(1000).default(20),
          maxTokens: z.number().int().min(100).max(1_000_000).default(5000),
          maxCost: z.number().int().min(1).max(100_000_000).default(5000),
          /** Size assumed for a list field without @listSize or a slicing argument. */
          defaultListSize: z.number().int().min(1).max(10_000).default(20),
        })
        .default({ maxDepth: 12, maxAliases: 30, maxRootFields: 20, maxTokens: 5000, maxCost: 5000, defaultListSize: 20 }),
      /** `enforce`: only operations from the manifest run (by id or by the hash of the text). */
      trustedDocuments: z
        .strictObject({
          mode: z.enum(['off', 'enforce']).default('off'),
          manifestFile: z.string().min(1).default('var/trusted-documents.json'),
        })
        .default({ mode: 'off', manifestFile: 'var/trusted-documents.json' }),
    })
    .default({
      mtls: { host: '0.0.0.0', port: 4443 },
      policyFile: 'config/access-policy.yaml',
      maxClockSkewSeconds: 300,
      signResponses: true,
      publicKeyOperations: 'auto',
      requestTimeoutMillis: 30_000,
      maxBatchSize: 1,
      limits: { maxDepth: 12, maxAliases: 30, maxRootFields: 20, maxTokens: 5000, maxCost: 5000, defaultListSize: 20 },
      trustedDocuments: { mode: 'off', manifestFile: 'var/trusted-documents.json' },
    }),
  events: eventsSchema,
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
export type EventsConfig = GatewayConfig['events'];
export type SubgraphDefaults = GatewayConfig['subgraphs']['defaults'];
export type SubgraphOverride = z.infer<typeof subgraphOverrideSchema>;
export type QualityConfig = GatewayConfig['quality'];
export type SloConfig = QualityConfig['slos'][number];
export type ProbeConfig = QualityConfig['probes'][number];
export { MEMBER_STATES };
