export type { Adapter, AdapterSubgraph, CreateSubgraphOptions, LocalizedText, RunningServer, SandboxOptions, SubgraphRequestContext } from './adapter.js';
export { isAdapter } from './adapter.js';
export { AdapterError, type AdapterErrorCode } from './adapter-error.js';
export { buildSubgraph, type SubgraphResolvers } from './build-subgraph.js';
export { BUILT_IN_ADAPTERS, DEFAULT_SUBGRAPH_PORTS, defaultSubgraphUrl, loadBuiltInAdapter } from './load-adapter.js';
export { closeServer, startJsonHttpServer, type JsonHandler, type JsonRequest, type JsonResponse } from './json-http-server.js';
export { serveSubgraph, SUBGRAPH_HEADERS, type ServeSubgraphOptions } from './serve-subgraph.js';
export { UpstreamHttpClient, type UpstreamHttpClientOptions } from './upstream-http-client.js';
export { decodeOffsetCursor, encodeOffsetCursor, pageWindow, toConnection, type Connection, type PageArgs } from './relay-cursor.js';
