import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { globalFetch, type Clock } from '../../trust/index.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import { composeSupergraph } from '../federation/compose-supergraph.js';
import { SupergraphGateway, type InProcessSubgraph } from '../federation/supergraph-gateway.js';
import { createSubgraphContextSigner } from '../federation/subgraph-context-signer.js';
import { createApolloServer, createApp, GRAPHQL_PATH } from '../http/create-app.js';
import { GatewayMetrics } from '../observability/gateway-metrics.js';
import { startEmbeddedSubgraphs, type EmbeddedSubgraphs } from './embedded-subgraphs.js';
import { gatewayOwnedDefinitions, type GatewayOwnedSubgraph } from './gateway-owned-subgraphs.js';
import { CheckpointScheduler, trustCheckpointSigner } from '../audit/checkpoint.js';
import { checkpointSignerFromConfig } from '../audit/checkpoint-config.js';
import { EvidenceLog } from '../audit/evidence-log.js';
import { EvidenceRetention } from '../audit/evidence-retention.js';
import { RetentionScheduler } from '../audit/retention-scheduler.js';
import { exchangeRecorderPlugin } from '../audit/exchange-recorder.js';
import { startGatewayTrust, type StartedGatewayTrust } from '../access/start-gateway-trust.js';
import { MemberRequestVerifier } from '../access/member-request-verifier.js';
import { offloadPublicKeyOperations } from '../access/public-key-operations.js';
import { insecureDemoSecurity, mutualTlsSecurity, mutualTlsWebSocketIdentity } from '../access/listener-security.js';
import { createAccessControl } from '../access/access-control.js';
import { SubjectHasher } from '../audit/subject-hasher.js';
import { startGatewayEvents, type GatewayEvents } from '../events/gateway-events.js';
import { createEventsSubgraph } from '../events/events-subgraph.js';
import { createSubscriptionServer } from '../http/subscription-server.js';
import type { GraphQLSchema } from 'graphql';
import { ServiceQuality } from '../quality/service-quality.js';

/** The gateway's lifecycle. Transitions only go forward: starting -> started -> draining -> stopped. */
export type GatewayStatus = 'starting' | 'started' | 'draining' | 'stopped';

export interface GatewayUrls {
  /** Loopback plain-HTTP port acting as the demo client: insecure by design. */
  readonly insecureDemo?: { readonly graphql: string; readonly subscriptions: string; readonly explorer: string; readonly healthz: string; readonly readyz: string; readonly metrics: string };
  /** The member-state port: mutual TLS, signed requests, signed responses. */
  readonly mtls: { readonly graphql: string; readonly subscriptions: string; readonly base: string; readonly port: number };
  /** Sandboxes standing in for national systems, by adapter. */
  readonly sandboxes: Readonly<Record<string, string>>;
}

export interface RunningGateway {
  readonly status: GatewayStatus;
  readonly urls: GatewayUrls;
  readonly metrics: GatewayMetrics;
  readonly supergraph: SupergraphGateway;
  /** The trust context: trust list holder, revocation, the gateway's signer, TLS material. */
  readonly trust: StartedGatewayTrust;
  /** The evidence log directory, when the log is enabled. */
  readonly auditDir: string | undefined;
  /** Cross-border events, when enabled. */
  readonly events: GatewayEvents | undefined;
  /** Service quality (measurements, probes, status page, feedback); its `enabled` follows `quality.enabled`. */
  readonly quality: ServiceQuality;
  /** Where the supergraph comes from. */
  readonly source: { readonly kind: 'embedded' } | { readonly kind: 'file'; readonly file: string };
  /**
   * Loads the supergraph again (file mode: re-reads the file). A supergraph that fails to load
   * leaves the current one serving; the error is logged and returned.
   */
  reload(reason: string): Promise<{ readonly changed: boolean; readonly error?: GatewayError }>;
  /** Graceful stop: refuse new requests, let in-flight ones finish (up to the grace period), close. */
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Collect Node process metrics (off in tests that start many gateways). @default true */
  readonly processMetrics?: boolean;
  /** The clock trust decisions are made with (trust-list expiry, certificate validity, signature freshness). @default system clock */
  readonly clock?: Clock;
}

/** Starts a gateway from validated configuration. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const logger = options.logger.child({ component: 'gateway' });
  const metrics = new GatewayMetrics({ collectProcessMetrics: options.processMetrics ?? true });
  let status: GatewayStatus = 'starting';
  let inFlight = 0;
  let drained: (() => void) | undefined;

  let embedded: EmbeddedSubgraphs | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const trust = await startGatewayTrust({ config: config.trust, logger: options.logger.child({ component: 'trust' }), ...(options.clock !== undefined ? { clock: options.clock } : {}) });
    cleanups.push(() => trust.close());
    let events: GatewayEvents | undefined;
    if (config.events.enabled) {
      // Before the adapters: they hand their domain events to its sink from the start.
      events = await startGatewayEvents({ config: config.events, trust, logger: options.logger, metrics, onCertificateRevoked: () => trust.refreshRevocation() });
      cleanups.push(() => events?.close());
    }
    const inProcess = new Map<string, InProcessSubgraph>();
    if (config.supergraph.source === 'embedded') {
      embedded = await startEmbeddedSubgraphs(config.adapters, options.logger, events?.adapterSink);
      cleanups.push(() => embedded?.close());
      for (const subgraph of embedded.subgraphs) inProcess.set(subgraph.name, { schema: subgraph.schema, checkHealth: () => subgraph.checkHealth() });
    }
    // Service quality first: the supergraph takes its subgraph and its observer of subgraph calls.
    const quality = ServiceQuality.open({ config: config.quality, registry: metrics.registry, logger: options.logger.child({ component: 'quality' }) });
    // Subgraphs served by the gateway itself, in every mode (see gateway-owned-subgraphs.ts).
    const owned: GatewayOwnedSubgraph[] = [createEventsSubgraph(events), quality.subgraph];
    for (const subgraph of owned) inProcess.set(subgraph.name, subgraph);
    // The member port's signing identity and signature checks, with public-key operations where
    // access.publicKeyOperations puts them (the events module keeps its own choice).
    const offloadPublicKey = offloadPublicKeyOperations(config.access.publicKeyOperations);
    const memberSigner = { ...trust.signer, offloadSigning: offloadPublicKey };
    const memberTrust = { ...trust, signatureTrust: { ...trust.signatureTrust, offloadSignatureChecks: offloadPublicKey } };
    options.logger.debug({ publicKeyOperations: offloadPublicKey ? 'thread-pool' : 'event-loop', setting: config.access.publicKeyOperations }, 'member port public-key operations');
    const supergraph = new SupergraphGateway({
      logger: options.logger.child({ component: 'federation' }),
      metrics,
      defaults: config.subgraphs.defaults,
      overrides: config.subgraphs.overrides,
      execution: config.supergraph.execution,
      inProcess,
      ...(config.subgraphs.signContext ? { contextSigner: createSubgraphContextSigner(memberSigner) } : {}),
      ...(quality.subgraphCallObserver !== undefined ? { onSubgraphCall: quality.subgraphCallObserver } : {}),
    });
    cleanups.push(() => supergraph.stop());
    // Runs before supergraph.stop (cleanups run in reverse): probes end before the supergraph does.
    cleanups.push(() => quality.stop());

    const file = config.supergraph.file;
    const readSupergraph = async (): Promise<string> => {
      if (embedded !== undefined) return composeSupergraph([...embedded.definitions, ...gatewayOwnedDefinitions(owned)]);
      if (file === undefined) throw new GatewayError('ERR_CONFIG_INVALID', { message: 'supergraph.file is not set' });
      try {
        return await readFile(file, 'utf8');
      } catch (cause) {
        throw new GatewayError('ERR_SUPERGRAPH_INVALID', { message: `cannot read the supergraph file ${file}: ${(cause as Error).message}`, cause });
      }
    };
    supergraph.apply(await readSupergraph());

    let reloading: Promise<{ changed: boolean; error?: GatewayError }> = Promise.resolve({ changed: false });
    const reload = (reason: string): Promise<{ changed: boolean; error?: GatewayError }> => {
      // Serialised: a reload waits for the previous one, so the newest file always wins.
      reloading = reloading.then(async () => {
        if (status !== 'started') return { changed: false };
        try {
          const changed = supergraph.apply(await readSupergraph());
          if (changed) logger.info({ reason, supergraph: supergraph.supergraphHash, subgraphs: supergraph.subgraphNames }, 'supergraph reloaded');
          return { changed };
        } catch (cause) {
          const error = cause instanceof GatewayError ? cause : new GatewayError('ERR_SUPERGRAPH_INVALID', { cause });
          logger.error({ reason, code: error.code, err: error }, `supergraph reload failed; the previous supergraph keeps serving: ${error.message}`);
          return { changed: false, error };
        }
      });
      return reloading;
    };

    let evidence: EvidenceLog | undefined;
    if (config.audit.enabled) {
      evidence = EvidenceLog.open({
        dir: config.audit.dir,
        durability: config.audit.durability,
        segmentMaxBytes: config.audit.segmentMaxBytes,
        ...(config.audit.batchMaxDelayMillis !== undefined ? { batchMaxDelayMillis: config.audit.batchMaxDelayMillis } : {}),
        logger: options.logger.child({ component: 'audit' }),
      });
      cleanups.push(() => evidence?.close());
      // Checkpoints: as configured; in the demo trust mode, by default with the gateway's own signing
      // identity and the demo TSA, so the embedded mode's evidence is signed and timestamped too.
      const checkpoints = config.audit.checkpoints;
      const tsa = trust.demoServices?.tsa;
      const signer =
        checkpoints !== undefined
          ? await checkpointSignerFromConfig(checkpoints)
          : config.trust.mode === 'demo'
            ? trustCheckpointSigner({ signer: trust.signer, ...(tsa !== undefined ? { tsa: { url: tsa.url, fetch: globalFetch, trustList: () => trust.holder.current() } } : {}) })
            : undefined;
      if (signer !== undefined) {
        const auditLogger = options.logger.child({ component: 'audit' });
        const scheduler = new CheckpointScheduler({
          log: evidence,
          signer,
          everyRecords: checkpoints?.everyRecords ?? 10_000,
          everyMillis: checkpoints?.everyMillis ?? 60_000,
          onError: (error) => auditLogger.error({ err: error }, 'evidence-log checkpoint failed'),
        });
        // Runs before the log closes (cleanups run in reverse): a last checkpoint for what is unvouched.
        cleanups.push(() => scheduler.stop());
      }
      const retention = config.audit.retention;
      if (retention !== undefined) {
        const auditLogger = options.logger.child({ component: 'audit' });
        const retentionScheduler = new RetentionScheduler({
          log: evidence,
          retention: new EvidenceRetention({ dir: config.audit.dir, policy: retention, signer: trust.signer, trust: trust.signatureTrust, ...(signer !== undefined ? { checkpointSigner: signer } : {}), logger: auditLogger }),
          checkIntervalMillis: retention.checkIntervalMillis,
          onError: (error) => auditLogger.error({ err: error }, 'evidence-log retention failed; nothing was removed without its record, the next pass retries'),
        });
        // Stops before the log closes (cleanups run in reverse).
        cleanups.push(() => retentionScheduler.stop());
      }
    }
    const access = await createAccessControl({ config: config.access, supergraphSdl: () => supergraph.supergraphSdl, logger: options.logger.child({ component: 'access' }) });
    const plugins = [
      ...access.plugins,
      ...(evidence !== undefined
        ? [
            exchangeRecorderPlugin({
              subjects: SubjectHasher.forLog(config.audit.dir),
              subjectArguments: config.audit.subjectArguments,
              supergraphSdl: () => supergraph.supergraphSdl,
            }),
          ]
        : []),
      ...quality.plugins,
    ];
    const apollo = createApolloServer(supergraph, metrics, plugins, access.apolloOptions);
    await apollo.start();
    cleanups.push(() => apollo.stop());

    let apiSchema: GraphQLSchema | undefined;
    supergraph.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
      apiSchema = schema;
    });
    /** The HTTP app of one listener: everything is shared but how callers are identified (and the explorer, readiness). */
    const appFor = (listener: string, own: Pick<Parameters<typeof createApp>[0], 'explorer' | 'security' | 'readiness'>): ReturnType<typeof createApp> =>
      createApp({
        gateway: supergraph,
        apollo,
        logger: options.logger.child({ component: 'http', listener }),
        metrics: config.metrics.enabled ? metrics : undefined,
        bodyLimitBytes: config.server.bodyLimitBytes,
        trustRequestIdHeader: config.server.trustRequestIdHeader,
        gate: access.gate,
        evidence,
        routers: quality.routers,
        ...lifecycle,
        ...own,
      });
    /** Subscriptions (graphql-ws) on a listener's port and path, under the same policy; closed before events stop (cleanups run in reverse). */
    const subscriptionsOn = (server: Server, listener: string, identify: Parameters<typeof createSubscriptionServer>[0]['identify']): void => {
      const subscriptions = createSubscriptionServer({
        server,
        path: GRAPHQL_PATH,
        schema: () => apiSchema,
        identify,
        authorize: (request) => access.authorizeSubscription(request),
        isAccepting: () => status === 'started',
        logger: options.logger.child({ listener }),
        metrics: config.metrics.enabled ? metrics : undefined,
        maxPayloadBytes: config.server.bodyLimitBytes,
      });
      cleanups.push(() => subscriptions.close());
    };
    const servers: Array<Server | ReturnType<typeof createHttpsServer>> = [];
    const lifecycle = {
      isAccepting: () => status === 'started',
      onRequestStart: () => {
        inFlight += 1;
      },
      onRequestEnd: () => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      },
    };
    let insecureDemo: GatewayUrls['insecureDemo'];
    const demo = config.server.insecureDemoPort;
    if (demo.enabled) {
      const app = appFor('insecure-demo', {
        explorer: {
          enabled: config.explorer.enabled,
          notice: `INSECURE DEMO PORT: every request here acts as ${demo.demoClientId}, without TLS or signatures. For trying queries on this machine only. / منفذ تجريبي غير آمن للتجربة على هذا الجهاز فقط.`,
        },
        security: insecureDemoSecurity(demo.demoClientId),
      });
      const server = createServer(app);
      server.keepAliveTimeout = 5_000;
      // Subscriptions (graphql-ws) on the same port and path; closed before events stop (cleanups run in reverse).
      subscriptionsOn(server, 'insecure-demo', () => ({ clientId: demo.demoClientId, authenticatedBy: 'insecure-demo-port' }));
      await listen(server, demo.port, demo.host, 'server.insecureDemoPort.port');
      servers.push(server);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const base = `http://${host}:${address.port}`;
      insecureDemo = { graphql: `${base}${GRAPHQL_PATH}`, subscriptions: `ws://${host}:${address.port}${GRAPHQL_PATH}`, explorer: `${base}/`, healthz: `${base}/healthz`, readyz: `${base}/readyz`, metrics: `${base}/metrics` };
    }

    // The member-state port: always on. TLS asks for a client certificate but does not decide on
    // it (rejectUnauthorized: false): the decision is the trust module's path validation against
    // the trust list, made per request so revocation and trust-list changes take effect at once,
    // and a refusal is an error with a code instead of a bare handshake failure.
    const verifier = new MemberRequestVerifier({ trust: memberTrust, maxClockSkewSeconds: config.access.maxClockSkewSeconds });
    const mtlsApp = appFor('mtls', {
      explorer: { enabled: false },
      security: mutualTlsSecurity({ verifier, responseSigner: config.access.signResponses ? memberSigner : undefined }),
      readiness: () => {
        const state = trust.holder.state();
        return { ok: state.status === 'current' || state.status === 'in-grace', detail: { trustList: state } };
      },
    });
    const mtlsServer = createHttpsServer(
      {
        key: trust.tls.keyPem,
        cert: trust.tls.chainPem,
        ca: trust.tls.caPems(),
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      mtlsApp,
    );
    mtlsServer.keepAliveTimeout = 5_000;
    subscriptionsOn(mtlsServer, 'mtls', mutualTlsWebSocketIdentity(verifier));
    await listen(mtlsServer, config.access.mtls.port, config.access.mtls.host, 'access.mtls.port');
    servers.push(mtlsServer);
    const mtlsAddress = mtlsServer.address() as AddressInfo;
    const mtlsHost = config.access.mtls.host === '0.0.0.0' || config.access.mtls.host === '::' ? 'localhost' : config.access.mtls.host;
    const mtlsBase = `https://${mtlsHost}:${mtlsAddress.port}`;
    const mtls = { graphql: `${mtlsBase}${GRAPHQL_PATH}`, subscriptions: `wss://${mtlsHost}:${mtlsAddress.port}${GRAPHQL_PATH}`, base: mtlsBase, port: mtlsAddress.port };

    let watcher: FSWatcher | undefined;
    if (file !== undefined && config.supergraph.watch) {
      let debounce: NodeJS.Timeout | undefined;
      // Watch the directory, not the file: editors and deploy tools replace files by renaming.
      watcher = watch(dirname(file), (_event, changed) => {
        if (changed !== null && changed !== basename(file)) return;
        clearTimeout(debounce);
        debounce = setTimeout(() => void reload('file changed'), 100);
      });
      watcher.on('error', (error) => logger.error({ err: error }, 'supergraph file watcher failed'));
      cleanups.push(() => {
        clearTimeout(debounce);
        watcher?.close();
      });
    }

    status = 'started';
    quality.start(supergraph);
    const sandboxes = Object.fromEntries((embedded?.sandboxes ?? []).map(({ adapter, server }) => [adapter, server.url]));
    logger.info(
      { audit: evidence !== undefined ? { dir: config.audit.dir, durability: evidence.durability, head: evidence.head.seq } : 'disabled', events: events !== undefined ? { transport: events.transport.kind, topics: events.topics } : 'disabled', mode: config.supergraph.source, supergraph: supergraph.supergraphHash, subgraphs: supergraph.subgraphNames, urls: { ...insecureDemo, mtls: mtls.graphql }, trustList: trust.holder.state(), sandboxes },
      'gateway started',
    );

    const stop = async (): Promise<void> => {
      if (status === 'draining' || status === 'stopped') return;
      status = 'draining';
      logger.info({ inFlight, gracePeriodMillis: config.server.shutdownGracePeriodMillis }, 'draining: refusing new requests, finishing those in flight');
      for (const server of servers) {
        server.close();
        server.closeIdleConnections();
      }
      if (inFlight > 0) {
        const finished = new Promise<void>((resolve) => {
          drained = resolve;
        });
        const timedOut = await Promise.race([
          finished.then(() => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), config.server.shutdownGracePeriodMillis).unref()),
        ]);
        if (timedOut) logger.warn({ inFlight }, 'grace period over; closing connections with requests still in flight');
      }
      for (const server of servers) server.closeAllConnections();
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          logger.warn({ err: error }, 'error while stopping');
        }
      }
      status = 'stopped';
      logger.info('gateway stopped');
    };

    return {
      get status() {
        return status;
      },
      urls: { ...(insecureDemo !== undefined ? { insecureDemo } : {}), mtls, sandboxes },
      metrics,
      supergraph,
      trust,
      events,
      auditDir: evidence !== undefined ? config.audit.dir : undefined,
      quality,
      source: file !== undefined && embedded === undefined ? { kind: 'file', file } : { kind: 'embedded' },
      reload,
      stop,
    };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    throw error;
  }
}

function listen(server: NetServer, port: number, host: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new GatewayError('ERR_CONFIG_INVALID', { message: `port ${port} on ${host} is already in use (${key})`, cause: error })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
