import { AdapterError, UpstreamHttpClient } from '../kit/index.js';
import type { EntityRow } from './sandbox/seed.js';

export type { EntityRow };

interface ODataCollection<T> {
  readonly value?: readonly T[];
  readonly '@odata.count'?: number;
}

/** Quotes a string as an OData literal: single quotes, with `'` doubled (URL Conventions §5.1.1.6.1). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Mawared's OData v4 API, as the adapter uses it. Every value that goes into `$filter` is quoted by
 * `odataString`, so a caller's input can never change the shape of the query.
 */
export class MawaredClient {
  readonly #http: UpstreamHttpClient;

  constructor(options: { baseUrl: string; timeoutMillis: number; fetch?: typeof fetch }) {
    this.#http = new UpstreamHttpClient({
      baseUrl: options.baseUrl,
      timeoutMillis: options.timeoutMillis,
      adapter: 'mawared',
      headers: { 'odata-maxversion': '4.0' },
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    });
  }

  async getEntity(state: string, code: string): Promise<EntityRow | undefined> {
    const filter = `State eq ${odataString(state)} and Code eq ${odataString(code)}`;
    const page = await this.#get<EntityRow>(`GovernmentEntities?${new URLSearchParams({ $filter: filter, $top: '1' }).toString()}`);
    return page.value?.[0];
  }

  async listEntities(options: { state?: string; skip: number; top: number }): Promise<{ rows: readonly EntityRow[]; count: number }> {
    const params = new URLSearchParams({ $count: 'true', $orderby: 'State asc,Code asc', $skip: String(options.skip), $top: String(options.top) });
    if (options.state !== undefined) params.set('$filter', `State eq ${odataString(options.state)}`);
    const page = await this.#get<EntityRow>(`GovernmentEntities?${params.toString()}`);
    if (typeof page['@odata.count'] !== 'number') throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'Mawared did not return @odata.count', { adapter: 'mawared' });
    return { rows: page.value ?? [], count: page['@odata.count'] };
  }

  /** Answers when the OData service document can be read. */
  async ping(): Promise<void> {
    await this.#http.get('');
  }

  async #get<T>(path: string): Promise<ODataCollection<T>> {
    const body = await this.#http.get<ODataCollection<T>>(path);
    if (typeof body !== 'object' || body === null || !Array.isArray(body.value)) {
      throw new AdapterError('ERR_UPSTREAM_BAD_RESPONSE', 'Mawared answered without an OData "value" array', { adapter: 'mawared' });
    }
    return body;
  }
}
