import { readFileSync } from 'node:fs';
import type { GraphQLExchangeRecord, SealedRecord } from './audit-record.js';
import type { EvidenceArchive } from './evidence-archive.js';
import { listSegments } from './evidence-log.js';
import { decodeRecord } from './record-codec.js';
import { coveringArchives, isRetentionBody, RETENTION_MARKER, type RetentionSeen } from './retention-record.js';
import { SubjectHasher } from './subject-hasher.js';

export interface AccessEntry {
  readonly time: string;
  readonly seq: number;
  readonly clientId: string | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly fields: GraphQLExchangeRecord['fields'];
  readonly outcome: GraphQLExchangeRecord['outcome'];
  readonly requestId: string;
}

/** The part of the history that is no longer in the log (removed by retention), and where it is. */
export interface OnlyInArchives {
  /** Records #1 to #`untilSeq` are not in the log. */
  readonly untilSeq: number;
  /** Time of the last of them, as the retention record states it (absent if no retention record explains the cut). */
  readonly untilTime?: string;
  /** The retention record that made the latest cut, and the archive files it names. */
  readonly retentionSeq?: number;
  readonly archives: readonly string[];
}

export interface WhoAccessedReport {
  readonly entries: AccessEntry[];
  /** Set when the log no longer starts at record #1: accesses before are only in archives. */
  readonly onlyInArchives?: OnlyInArchives;
}

const RETENTION_TEXT = RETENTION_MARKER.toString('latin1');

/** Looks for one subject's accesses in segment texts; also notes retention records on the way. */
function scan(texts: Iterable<string>, needle: string, since: string | undefined, out: AccessEntry[], retentions: RetentionSeen[] | undefined): void {
  for (const text of texts) {
    // Cheap pre-filter: only lines that mention the hash are parsed.
    let at = text.indexOf(needle);
    while (at >= 0) {
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      const record: SealedRecord = decodeRecord(text.slice(start, end < 0 ? undefined : end));
      const body = record.body as GraphQLExchangeRecord;
      if (body.type === 'graphql.exchange' && body.subjects.includes(needle) && (since === undefined || record.time >= since)) {
        out.push({
          time: record.time,
          seq: record.seq,
          clientId: body.clientId,
          purpose: body.purpose,
          operationName: body.operationName,
          fields: body.fields,
          outcome: body.outcome,
          requestId: body.requestId,
        });
      }
      at = end < 0 ? -1 : text.indexOf(needle, end);
    }
    if (retentions === undefined) continue;
    for (let r = text.indexOf(RETENTION_TEXT); r >= 0; r = text.indexOf(RETENTION_TEXT, r + 1)) {
      const start = text.lastIndexOf('\n', r) + 1;
      const end = text.indexOf('\n', r);
      const record = decodeRecord(text.slice(start, end < 0 ? undefined : end));
      if (isRetentionBody(record.body)) retentions.push({ seq: record.seq, time: record.time, body: record.body });
    }
  }
}

/**
 * The citizen-transparency answer: which clients read data about this subject, when, for what
 * purpose and which fields. Subjects are matched by their keyed hash (see SubjectHasher).
 * After retention, only what is still in the log is searched; `onlyInArchives` says which part
 * of the history is only in archives (search those with `whoAccessedInArchive`).
 */
export function whoAccessedReport(dir: string, subject: { kind: string; value: string }, options: { since?: Date } = {}): WhoAccessedReport {
  const needle = SubjectHasher.forLog(dir).hash(subject.kind, subject.value);
  const since = options.since?.toISOString();
  const entries: AccessEntry[] = [];
  const retentions: RetentionSeen[] = [];
  const segments = listSegments(dir);
  let firstSeq: number | undefined;
  scan(
    (function* () {
      for (const segment of segments) {
        const text = readFileSync(segment.path, 'utf8');
        if (firstSeq === undefined && text.length > 0) firstSeq = decodeRecord(text.slice(0, text.indexOf('\n'))).seq;
        yield text;
      }
    })(),
    needle,
    since,
    entries,
    retentions,
  );
  if (firstSeq === undefined || firstSeq <= 1) return { entries };
  const untilSeq = firstSeq - 1;
  // The latest retention record whose removed part ends right before the first record present.
  const cut = [...retentions].reverse().find((r) => r.body.removed.lastSeq === untilSeq);
  return {
    entries,
    onlyInArchives: cut !== undefined ? { untilSeq, untilTime: cut.body.removed.lastTime, retentionSeq: cut.seq, archives: coveringArchives(cut.body).map((a) => a.file) } : { untilSeq, archives: [] },
  };
}

/** `whoAccessedReport` without the note on archives. */
export function whoAccessed(dir: string, subject: { kind: string; value: string }, options: { since?: Date } = {}): AccessEntry[] {
  return whoAccessedReport(dir, subject, options).entries;
}

/**
 * Searches an archive (evidence-archive.ts) for a subject, with the subject key of the log it came
 * from (`dir`). Verify the archive first (`gccgw audit verify --archive`): this only reads it.
 */
export function whoAccessedInArchive(dir: string, archive: EvidenceArchive, subject: { kind: string; value: string }, options: { since?: Date } = {}): AccessEntry[] {
  const needle = SubjectHasher.forLog(dir).hash(subject.kind, subject.value);
  const entries: AccessEntry[] = [];
  scan(
    archive.segments.map((s) => Buffer.from(s.content, 'base64').toString('utf8')),
    needle,
    options.since?.toISOString(),
    entries,
    undefined,
  );
  return entries;
}
