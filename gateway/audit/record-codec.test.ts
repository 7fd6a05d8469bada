import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { AuditRecordBody } from './audit-record.js';
import { checkLineBytes, encodeRecord, encodeRecordBytes } from './record-codec.js';

const PREV = 'a'.repeat(64);
const TIME = '2026-11-23T06:40:00.000Z';
const JWS = `eyJhbGciOiJFUzI1NiJ9${'Ab-_9'.repeat(700)}..${'Zz0_-'.repeat(17)}`;

function exchange(overrides: Record<string, unknown>): AuditRecordBody {
  return {
    type: 'graphql.exchange',
    requestId: 'req-1',
    clientId: 'GCC:QA:GOV:CSGDB:hr-portal',
    purpose: 'AUDIT_OVERSIGHT',
    operationName: 'اختبار',
    fields: [{ coordinate: 'Query.topProducts', sensitivity: 'public' }],
    requestSignature: JWS,
    requestHash: 'h'.repeat(43),
    responseSignature: `${JWS}x`,
    responseHash: 'f'.repeat(64),
    durationMillis: 1.25,
    outcome: 'success',
    ...overrides,
  } as AuditRecordBody;
}

/** What a reader gets back: the body as JSON.stringify would have carried it. */
function roundTrip(body: AuditRecordBody): unknown {
  return JSON.parse(encodeRecord(7, PREV, TIME, body).line).body;
}

describe('record lines', () => {
  it('carry every body a reader parses back to what JSON.stringify would have carried', () => {
    const bodies: AuditRecordBody[] = [
      exchange({}),
      exchange({ requestSignature: null }),
      exchange({ requestSignature: null, responseSignature: null }),
      exchange({ requestSignature: undefined, responseSignature: `${JWS}` }),
      exchange({ requestSignature: 'has "quotes" and \\ backslash', responseSignature: 'line\nbreak\u0000nul' }),
      exchange({ requestSignature: 'ليس base64url', responseSignature: 'emoji 😀 and \ud800 lone surrogate' }),
      exchange({ requestSignature: '', responseSignature: 'a+b/c=' }),
      exchange({ requestSignature: 42, responseSignature: { nested: JWS } }),
      exchange({ requestSignature: () => 'no', responseSignature: Symbol('no') }),
      { type: 'checkpoint', upToSeq: 5, upToHash: PREV, signature: JWS } as AuditRecordBody,
      { type: 'test.record', requestSignature: JWS } as AuditRecordBody,
    ];
    for (const body of bodies) expect(roundTrip(body)).toEqual(JSON.parse(JSON.stringify(body)));
  });

  it('puts plain signatures last, as they are, and every other member in JSON.stringify order', () => {
    const line = encodeRecord(7, PREV, TIME, exchange({})).line;
    const body = line.slice(line.indexOf('"body":') + 7, line.indexOf(',"hash":"'));
    expect(body.endsWith(`"requestSignature":"${JWS}","responseSignature":"${JWS}x"}`)).toBe(true);
    expect(Object.keys(JSON.parse(body) as object)).toEqual(['type', 'requestId', 'clientId', 'purpose', 'operationName', 'fields', 'requestHash', 'responseHash', 'durationMillis', 'outcome', 'requestSignature', 'responseSignature']);
  });

  it('writes a body without signature text exactly as JSON.stringify does', () => {
    const body = exchange({ requestSignature: null, responseSignature: undefined });
    expect(encodeRecord(7, PREV, TIME, body).line).toBe(`{"seq":7,"prev":"${PREV}","time":"${TIME}","body":${JSON.stringify(body)},"hash":"${encodeRecord(7, PREV, TIME, body).hash}"}\n`);
  });

  it('hashes the bytes before the hash marker, and the line checks out', () => {
    for (const body of [exchange({}), exchange({ requestSignature: 'ليس "base64url"' })]) {
      const { bytes, hash } = encodeRecordBytes(9, PREV, TIME, body);
      const text = bytes.toString('utf8');
      expect(text).toBe(encodeRecord(9, PREV, TIME, body).line);
      expect(bytes[bytes.length - 1]).toBe(0x0a);
      const marker = bytes.indexOf(',"hash":"');
      expect(createHash('sha256').update(bytes.subarray(0, marker)).digest('hex')).toBe(hash);
      const check = checkLineBytes(bytes.subarray(0, bytes.length - 1));
      expect(check).toEqual({ ok: true, seq: 9, prev: PREV, hash });
    }
  });
});
