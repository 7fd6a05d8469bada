import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import { composeSupergraph } from '../federation/compose-supergraph.js';
import { SupergraphGateway, type InProcessSubgraph } from '../federation/supergraph-gateway.js';
import { createApolloServer, createApp, GRAPHQL_PATH } from '../http/create-app.js';
import { GatewayMetrics } from '../observability/gateway-metrics.js';
import { startEmbeddedSubgraphs, type EmbeddedSubgraphs } from './embedded-subgraphs.js';
import { gatewayOwnedDefinitions, type GatewayOwnedSubgraph } from './gateway-owned-subgraphs.js';
import { CheckpointScheduler } from '../audit/checkpoint.js';
import { checkpointSignerFromConfig } from '../audit/checkpoint-config.js';
import { EvidenceLog } from '../audit/evidence-log.js';
import { exchangeRecorderPlugin } from '../audit/exchange-recorder.js';
import { SubjectHasher } from '../audit/subject-hasher.js';
import { ServiceQuality } from '../quality/service-quality.js';

/** The gateway's lifecycle. Transitions only go forward: starting -> started -> draining -> stopped. */
export type GatewayStatus = 'starting' | 'started' | 'draining' | 'stopped';

export interface GatewayUrls {
  /** Loopback plain-HTTP port acting as the demo client: insecure by design. */
  readonly insecureDemo?: { readonly graphql: string; readonly explorer: string; readonly healthz: string; readonly readyz: string; readonly metrics: string };
  /** Sandboxes standing in for national systems, by adapter. */
  readonly sandboxes: Readonly<Record<string, string>>;
}

export interface RunningGateway {
  readonly status: GatewayStatus;
  readonly urls: GatewayUrls;
  readonly metrics: GatewayMetrics;
  readonly supergraph: SupergraphGateway;
  /** The evidence log directory, when the log is enabled. */
  readonly auditDir: string | undefined;
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
    const inProcess = new Map<string, InProcessSubgraph>();
    if (config.supergraph.source === 'embedded') {
      embedded = await startEmbeddedSubgraphs(config.adapters, options.logger);
      cleanups.push(() => embedded?.close());
      for (const subgraph of embedded.subgraphs) inProcess.set(subgraph.name, { schema: subgraph.schema, checkHealth: () => subgraph.checkHealth() });
    }
    // Service quality first: the supergraph takes its subgraph and its observer of subgraph calls.
    const quality = ServiceQuality.open({ config: config.quality, registry: metrics.registry, logger: options.logger.child({ component: 'quality' }) });
    // Subgraphs served by the gateway itself, in every mode (see gateway-owned-subgraphs.ts).
    const owned: GatewayOwnedSubgraph[] = [quality.subgraph];
    for (const subgraph of owned) inProcess.set(subgraph.name, subgraph);
    const supergraph = new SupergraphGateway({
      logger: options.logger.child({ component: 'federation' }),
      metrics,
      defaults: config.subgraphs.defaults,
      overrides: config.subgraphs.overrides,
      inProcess,
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
      const checkpoints = config.audit.checkpoints;
      if (checkpoints !== undefined) {
        const auditLogger = options.logger.child({ component: 'audit' });
        const scheduler = new CheckpointScheduler({
          log: evidence,
          signer: await checkpointSignerFromConfig(checkpoints),
          everyRecords: checkpoints.everyRecords,
          everyMillis: checkpoints.everyMillis,
          onError: (error) => auditLogger.error({ err: error }, 'evidence-log checkpoint failed'),
        });
        // Runs before the log closes (cleanups run in reverse): a last checkpoint for what is unvouched.
        cleanups.push(() => scheduler.stop());
      }
    }
    const plugins =
      evidence !== undefined
        ? [
            exchangeRecorderPlugin({
              log: evidence,
              subjects: SubjectHasher.forLog(config.audit.dir),
              subjectArguments: config.audit.subjectArguments,
              supergraphSdl: () => supergraph.supergraphSdl,
            }),
          ]
        : [];
    const apollo = createApolloServer(supergraph, metrics, [...plugins, ...quality.plugins]);
    await apollo.start();
    cleanups.push(() => apollo.stop());

    const servers: Server[] = [];
    let insecureDemo: GatewayUrls['insecureDemo'];
    const demo = config.server.insecureDemoPort;
    if (demo.enabled) {
      const app = createApp({
        gateway: supergraph,
        apollo,
        logger: options.logger.child({ component: 'http', listener: 'insecure-demo' }),
        metrics: config.metrics.enabled ? metrics : undefined,
        bodyLimitBytes: config.server.bodyLimitBytes,
        trustRequestIdHeader: config.server.trustRequestIdHeader,
        explorer: {
          enabled: config.explorer.enabled,
          notice: `INSECURE DEMO PORT: every request here acts as ${demo.demoClientId}, without TLS or signatures. For trying queries on this machine only. / منفذ تجريبي غير آمن للتجربة على هذا الجهاز فقط.`,
        },
        identify: () => ({ clientId: demo.demoClientId, authenticatedBy: 'insecure-demo-port' }),
        isAccepting: () => status === 'started',
        onRequestStart: () => {
          inFlight += 1;
        },
        onRequestEnd: () => {
          inFlight -= 1;
          if (inFlight === 0) drained?.();
        },
        routers: quality.routers,
      });
      const server = createServer(app);
      server.keepAliveTimeout = 5_000;
      await listen(server, demo.port, demo.host);
      servers.push(server);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const base = `http://${host}:${address.port}`;
      insecureDemo = { graphql: `${base}${GRAPHQL_PATH}`, explorer: `${base}/`, healthz: `${base}/healthz`, readyz: `${base}/readyz`, metrics: `${base}/metrics` };
    }
    // The mutual-TLS listener (member-state access issue) is added here, beside the demo port.

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
      { audit: evidence !== undefined ? { dir: config.audit.dir, durability: evidence.durability, head: evidence.head.seq } : 'disabled', mode: config.supergraph.source, supergraph: supergraph.supergraphHash, subgraphs: supergraph.subgraphNames, urls: insecureDemo, sandboxes },
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
      urls: { ...(insecureDemo !== undefined ? { insecureDemo } : {}), sandboxes },
      metrics,
      supergraph,
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        error.code === 'EADDRINUSE'
          ? new GatewayError('ERR_CONFIG_INVALID', { message: `port ${port} on ${host} is already in use (server.insecureDemoPort.port)`, cause: error })
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
