/**
 * Per-request state for resolvers, such as DataLoaders that batch entity lookups (no N+1): one
 * instance per GraphQL context object, which the gateway and `serveSubgraph` create fresh for every
 * request. Keyed weakly, so it goes with the request. Without an object context (a bare `execute`)
 * each call gets a fresh instance: correct, only unbatched.
 */
export function perRequest<T>(create: () => T): (context: unknown) => T {
  const instances = new WeakMap<object, T>();
  return (context) => {
    if (typeof context !== 'object' || context === null) return create();
    let instance = instances.get(context);
    if (instance === undefined) {
      instance = create();
      instances.set(context, instance);
    }
    return instance;
  };
}
