/**
 * Holds the current trust list for a relying party (the gateway). Like an X-Road global
 * configuration it fails closed: once `nextUpdate + grace` has passed without a newer list, the
 * holder reports itself expired and `current()` throws, so the caller refuses traffic. Sequence
 * numbers never go backwards (ETSI TS 119 612 §5.3.2): an older list is refused as a rollback.
 */
import { readFile, stat } from 'node:fs/promises';
import { TrustError } from '../errors/trust-error.js';
import { systemClock, type Clock, type FetchLike } from '../util/clock.js';
import type { CertificateInput } from '../x509/validate-path.js';
import type { TrustList } from './trust-list.js';
import { verifyTrustList, type VerifiedTrustList } from './verify-trust-list.js';

export type TrustListHolderState =
  | { readonly status: 'not-loaded' }
  | { readonly status: 'current' | 'in-grace' | 'expired'; readonly sequenceNumber: number; readonly nextUpdate: Date; readonly expiresAt: Date };

export interface TrustListHolderOptions {
  /** The pinned trust-list operator certificate(s) (config). */
  readonly operatorAnchors: readonly CertificateInput[];
  /** @default system clock */
  readonly clock?: Clock;
  /** Grace after nextUpdate before the list counts as expired. @default 3600 */
  readonly nextUpdateGraceSeconds?: number;
  /** Highest sequence number seen before (persisted by the caller across restarts). @default 0 */
  readonly minimumSequenceNumber?: number;
  /** Needed for loadUrl. */
  readonly fetch?: FetchLike;
}

export class TrustListHolder {
  private readonly clock: Clock;
  private readonly graceMillis: number;
  private held: VerifiedTrustList | undefined;
  private highestSequence: number;

  constructor(private readonly options: TrustListHolderOptions) {
    if (!options?.operatorAnchors?.length) throw new TypeError('TrustListHolder needs operatorAnchors');
    const grace = options.nextUpdateGraceSeconds ?? 3600;
    if (!Number.isFinite(grace) || grace < 0) throw new TypeError('nextUpdateGraceSeconds must be >= 0');
    this.graceMillis = grace * 1000;
    this.clock = options.clock ?? systemClock;
    this.highestSequence = options.minimumSequenceNumber ?? 0;
  }

  /** Verifies and installs a signed trust list; refuses rollback and expired lists. */
  async load(signedText: string): Promise<TrustList> {
    const now = this.clock.now();
    const verified = await verifyTrustList(signedText, { operatorAnchors: this.options.operatorAnchors, at: now });
    const list = verified.trustList;
    const held = this.held?.trustList;
    if (list.sequenceNumber < this.highestSequence || (held && list.sequenceNumber === held.sequenceNumber && JSON.stringify(list.document) !== JSON.stringify(held.document))) {
      throw new TrustError('ERR_TRUST_LIST_ROLLBACK', {
        message: `Trust list sequence ${list.sequenceNumber} is not newer than the held ${this.highestSequence}`,
      });
    }
    if (now.getTime() > list.nextUpdate.getTime() + this.graceMillis) {
      throw new TrustError('ERR_TRUST_LIST_EXPIRED', { message: `The trust list expired at ${new Date(list.nextUpdate.getTime() + this.graceMillis).toISOString()}` });
    }
    this.held = verified;
    this.highestSequence = list.sequenceNumber;
    return list;
  }

  async loadFile(path: string): Promise<TrustList> {
    return this.load(await readFile(path, 'utf8'));
  }

  async loadUrl(url: string): Promise<TrustList> {
    if (!this.options.fetch) throw new TypeError('loadUrl needs a fetch function in the options');
    let text: string;
    try {
      const response = await this.options.fetch(url, { method: 'GET' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    } catch (cause) {
      throw new TrustError('ERR_TRUST_FETCH_FAILED', { message: `Could not fetch the trust list from ${url}`, cause });
    }
    return this.load(text);
  }

  state(): TrustListHolderState {
    if (!this.held) return { status: 'not-loaded' };
    const list = this.held.trustList;
    const now = this.clock.now().getTime();
    const expiresAt = new Date(list.nextUpdate.getTime() + this.graceMillis);
    const status = now <= list.nextUpdate.getTime() ? 'current' : now <= expiresAt.getTime() ? 'in-grace' : 'expired';
    return { status, sequenceNumber: list.sequenceNumber, nextUpdate: list.nextUpdate, expiresAt };
  }

  /** The list to decide with; throws when none is loaded or it has expired (fail closed). */
  current(): TrustList {
    if (!this.held) throw new TrustError('ERR_TRUST_LIST_NOT_LOADED');
    const list = this.held.trustList;
    // Called for every verification: numbers only here; the same rule as state()'s 'expired'.
    const expiresAtMillis = list.nextUpdateMillis + this.graceMillis;
    if (this.clock.now().getTime() > expiresAtMillis) {
      throw new TrustError('ERR_TRUST_LIST_EXPIRED', { message: `The trust list (sequence ${list.sequenceNumber}) expired at ${new Date(expiresAtMillis).toISOString()}` });
    }
    return list;
  }

  /**
   * Hot reload: polls `path` every `intervalMillis` and loads it when it changed. A list that fails
   * to load (bad signature, rollback, ...) leaves the held one in place and is reported to `onError`.
   */
  watchFile(path: string, options: { readonly intervalMillis?: number; readonly onError?: (error: unknown) => void; readonly onLoad?: (list: TrustList) => void } = {}): { close(): void } {
    let lastMtime = 0;
    let running = false;
    const tick = async (): Promise<void> => {
      if (running) return;
      running = true;
      try {
        const info = await stat(path);
        if (info.mtimeMs !== lastMtime) {
          lastMtime = info.mtimeMs;
          const list = await this.loadFile(path);
          options.onLoad?.(list);
        }
      } catch (error) {
        options.onError?.(error);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick(), options.intervalMillis ?? 5000);
    timer.unref();
    void tick();
    return { close: () => clearInterval(timer) };
  }
}
