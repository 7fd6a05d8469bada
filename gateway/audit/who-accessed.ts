import { readFileSync } from 'node:fs';
import type { GraphQLExchangeRecord, SealedRecord } from './audit-record.js';
import { listSegments } from './evidence-log.js';
import { decodeRecord } from './record-codec.js';
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

/**
 * The citizen-transparency answer: which clients read data about this subject, when, for what
 * purpose and which fields. Subjects are matched by their keyed hash (see SubjectHasher).
 */
export function whoAccessed(dir: string, subject: { kind: string; value: string }, options: { since?: Date } = {}): AccessEntry[] {
  const needle = SubjectHasher.forLog(dir).hash(subject.kind, subject.value);
  const since = options.since?.toISOString();
  const out: AccessEntry[] = [];
  for (const segment of listSegments(dir)) {
    const text = readFileSync(segment.path, 'utf8');
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
  }
  return out;
}
