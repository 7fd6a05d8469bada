import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { parseJsonLine, recoverJsonLines } from '../util/json-lines-file.js';
import { isCallerState, type MemberStateCode } from './call-outcome.js';

export const FEEDBACK_CHANNELS = ['WEB', 'APP', 'CHATBOT', 'SOCIAL', 'CALL_CENTRE', 'SERVICE_CENTRE', 'KIOSK'] as const;
export type FeedbackChannel = (typeof FEEDBACK_CHANNELS)[number];

/**
 * One feedback as stored. Deliberately little (data minimisation): the day, not the time; the
 * caller's member state, not its ClientId; the channel; the rating; and the comment only after
 * personal-data redaction. Nothing in it identifies the citizen or the calling system.
 *
 *     {"v":1,"d":"2026-11-22","s":"mawared","st":"QA","c":"WEB","r":4,"m":"quick and clear"}
 */
export interface FeedbackEntry {
  readonly v: 1;
  /** Day (UTC) it was received. */
  readonly d: string;
  readonly s: string;
  readonly st: MemberStateCode | 'unknown';
  readonly c: FeedbackChannel;
  /** 1 (very poor) to 5 (excellent). */
  readonly r: number;
  /** Comment, redacted; absent when none was given or comments are not stored. */
  readonly m?: string;
}

const MONTH_FILE = /^(\d{4}-\d{2})\.jsonl$/;
const FEEDBACK_DIR = 'feedback';

export function isFeedbackEntry(value: unknown): value is FeedbackEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<FeedbackEntry>;
  return (
    entry.v === 1 &&
    typeof entry.d === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(entry.d) &&
    typeof entry.s === 'string' &&
    /^[a-z][a-z0-9-]{0,62}$/.test(entry.s) &&
    isCallerState(entry.st) &&
    (entry.st as string) !== 'probe' &&
    typeof entry.c === 'string' &&
    (FEEDBACK_CHANNELS as readonly string[]).includes(entry.c) &&
    Number.isInteger(entry.r) &&
    (entry.r as number) >= 1 &&
    (entry.r as number) <= 5 &&
    (entry.m === undefined || typeof entry.m === 'string')
  );
}

export interface FeedbackLogOptions {
  readonly dir: string;
  /** Months entirely older than this are deleted. @default 400 */
  readonly retentionDays?: number;
  /** Days kept in memory for the status page. @default 31 */
  readonly memoryDays?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * Channel feedback, appended to one JSON-lines file per UTC month (`<dir>/feedback/<YYYY-MM>.jsonl`)
 * and fsync'd before the mutation answers. Recovery and retention as for the measurements.
 */
export class FeedbackLog {
  readonly #dir: string;
  readonly #now: () => number;
  readonly #memoryDays: number;
  readonly #recent: FeedbackEntry[] = [];

  private constructor(options: FeedbackLogOptions) {
    this.#dir = join(options.dir, FEEDBACK_DIR);
    this.#now = options.now ?? Date.now;
    this.#memoryDays = options.memoryDays ?? 31;
  }

  static open(options: FeedbackLogOptions): FeedbackLog {
    const log = new FeedbackLog(options);
    mkdirSync(log.#dir, { recursive: true });
    const files = monthFiles(log.#dir);
    const last = files.at(-1);
    if (last !== undefined) {
      const recovered = recoverJsonLines(join(log.#dir, last.name), (line) => isFeedbackEntry(parseJsonLine(line)));
      if (recovered.droppedBytes > 0) options.logger?.warn({ file: last.name, droppedBytes: recovered.droppedBytes }, 'feedback log: cut a torn or damaged tail');
    }
    const now = log.#now();
    const retentionDays = options.retentionDays ?? 400;
    for (const file of files) {
      // A month goes when its last day is past retention.
      if (file.nextMonthMillis + retentionDays * 86_400_000 <= now) rmSync(join(log.#dir, file.name), { force: true });
    }
    const from = log.#oldestDay();
    for (const file of monthFiles(log.#dir).slice(-3)) {
      for (const entry of readEntries(join(log.#dir, file.name))) if (entry.d >= from) log.#recent.push(entry);
    }
    return log;
  }

  /** Durably appends one entry. */
  append(entry: FeedbackEntry): void {
    const fd = openSync(join(this.#dir, `${entry.d.slice(0, 7)}.jsonl`), 'a');
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#recent.push(entry);
    const from = this.#oldestDay();
    while (this.#recent.length > 0 && (this.#recent[0] as FeedbackEntry).d < from) this.#recent.shift();
  }

  /** Entries of the last days held in memory, from `fromDay` (YYYY-MM-DD) on. */
  recent(fromDay: string): FeedbackEntry[] {
    return this.#recent.filter((entry) => entry.d >= fromDay);
  }

  #oldestDay(): string {
    return new Date(this.#now() - this.#memoryDays * 86_400_000).toISOString().slice(0, 10);
  }
}

/** The feedback of one month (YYYY-MM), without changing any file. */
export function readFeedbackMonth(dir: string, month: string): FeedbackEntry[] {
  return readEntries(join(dir, FEEDBACK_DIR, `${month}.jsonl`));
}

function readEntries(path: string): FeedbackEntry[] {
  if (!existsSync(path)) return [];
  const bytes = readFileSync(path);
  const out: FeedbackEntry[] = [];
  let position = 0;
  while (position < bytes.length) {
    const end = bytes.indexOf(0x0a, position);
    if (end < 0) break;
    const parsed = parseJsonLine<unknown>(bytes.subarray(position, end));
    if (isFeedbackEntry(parsed)) out.push(parsed);
    position = end + 1;
  }
  return out;
}

function monthFiles(dir: string): Array<{ name: string; nextMonthMillis: number }> {
  return readdirSync(dir)
    .flatMap((name) => {
      const month = MONTH_FILE.exec(name)?.[1];
      if (month === undefined) return [];
      const [year, monthNumber] = month.split('-').map(Number) as [number, number];
      return [{ name, nextMonthMillis: Date.UTC(year, monthNumber, 1) }];
    })
    .sort((a, b) => a.nextMonthMillis - b.nextMonthMillis);
}

/** Feedback summed up: count, mean rating and ratings 1..5, overall and by channel. */
export interface FeedbackSummary {
  readonly count: number;
  readonly meanRating: number | null;
  /** Counts of ratings 1 to 5 (index 0 is rating 1). */
  readonly ratings: readonly number[];
  readonly comments: number;
  readonly byChannel: Readonly<Partial<Record<FeedbackChannel, { readonly count: number; readonly meanRating: number; readonly ratings: readonly number[] }>>>;
}

export function summariseFeedback(entries: readonly FeedbackEntry[]): FeedbackSummary {
  const ratings = [0, 0, 0, 0, 0];
  const channels = new Map<FeedbackChannel, number[]>();
  let sum = 0;
  let comments = 0;
  for (const entry of entries) {
    ratings[entry.r - 1] = (ratings[entry.r - 1] as number) + 1;
    sum += entry.r;
    if (entry.m !== undefined && entry.m !== '') comments += 1;
    let channel = channels.get(entry.c);
    if (channel === undefined) {
      channel = [0, 0, 0, 0, 0];
      channels.set(entry.c, channel);
    }
    channel[entry.r - 1] = (channel[entry.r - 1] as number) + 1;
  }
  const byChannel: Partial<Record<FeedbackChannel, { count: number; meanRating: number; ratings: number[] }>> = {};
  for (const channel of FEEDBACK_CHANNELS) {
    const counts = channels.get(channel);
    if (counts === undefined) continue;
    const count = counts.reduce((a, b) => a + b, 0);
    byChannel[channel] = { count, meanRating: counts.reduce((a, n, i) => a + n * (i + 1), 0) / count, ratings: counts };
  }
  return { count: entries.length, meanRating: entries.length === 0 ? null : sum / entries.length, ratings, comments, byChannel };
}
