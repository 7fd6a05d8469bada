import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, parse, type ExecutionResult } from 'graphql';
import { readFieldSensitivities } from '../../adapters/kit/index.js';
import { composeWithOthers, findMonolingualDescriptions, listObjectFields } from '../../adapters/kit/conformance/index.js';
import { listSubgraphSdlNames, readSubgraphSdl } from '../../schemas/schema-files.js';
import { FeedbackLog, readFeedbackMonth } from './feedback-log.js';
import { createQualitySubgraph, type QualitySubgraphOptions } from './feedback-subgraph.js';

const SUBMIT = parse(`mutation Submit($service: String!, $rating: Int!, $comment: String, $channel: FeedbackChannel!) {
  submitServiceFeedback(service: $service, rating: $rating, comment: $comment, channel: $channel) {
    service rating channel recordedOn commentStored commentRedacted
  }
}`);
const NOW = Date.UTC(2026, 10, 22, 14, 37, 12);
const CLIENT = 'GCC:SA:GOV:ABSHER:portal';
const FEEDBACK = { enabled: true, storeComments: true, commentMaxChars: 20, rateLimit: { burst: 3, refillPerMinute: 1 } };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gccgw-feedback-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function subgraph(overrides: Partial<QualitySubgraphOptions> = {}): ReturnType<typeof createQualitySubgraph> {
  return createQualitySubgraph({
    feedback: FEEDBACK,
    log: FeedbackLog.open({ dir, now: () => NOW }),
    services: () => ['mawared', 'gov-cloud'],
    now: () => NOW,
    ...overrides,
  });
}

async function submit(schema: ReturnType<typeof createQualitySubgraph>['schema'], variables: Record<string, unknown>, clientId: string | undefined = CLIENT): Promise<ExecutionResult> {
  return (await execute({ schema, document: SUBMIT, variableValues: { channel: 'WEB', ...variables }, contextValue: { requestId: 'r-1', clientId } })) as ExecutionResult;
}

const codeOf = (result: ExecutionResult): unknown => result.errors?.[0]?.extensions?.['code'];

describe('submitServiceFeedback', () => {
  it('records the rating with the caller\u2019s member state and the day only, never the ClientId', async () => {
    const { schema } = subgraph();
    const result = await submit(schema, { service: 'mawared', rating: 4, comment: 'Very quick', channel: 'CHATBOT' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.['submitServiceFeedback']).toEqual({ service: 'mawared', rating: 4, channel: 'CHATBOT', recordedOn: '2026-11-22', commentStored: true, commentRedacted: false });
    const stored = readFileSync(join(dir, 'feedback', '2026-11.jsonl'), 'utf8');
    expect(JSON.parse(stored)).toEqual({ v: 1, d: '2026-11-22', s: 'mawared', st: 'SA', c: 'CHATBOT', r: 4, m: 'Very quick' });
    expect(stored).not.toContain('ABSHER');
    expect(stored).not.toContain('14:37');
  });

  it('removes personal data from the comment before keeping it and says so', async () => {
    const { schema } = subgraph({ feedback: { ...FEEDBACK, commentMaxChars: 200 } });
    const result = await submit(schema, { service: 'gov-cloud', rating: 2, comment: 'call me 55123456' });
    expect(result.data?.['submitServiceFeedback']).toMatchObject({ commentStored: true, commentRedacted: true });
    expect(readFeedbackMonth(dir, '2026-11')[0]?.m).toBe('call me [redacted]');
  });

  it('keeps only the rating when comments are not to be stored', async () => {
    const { schema } = subgraph({ feedback: { ...FEEDBACK, storeComments: false } });
    const result = await submit(schema, { service: 'mawared', rating: 5, comment: 'great' });
    expect(result.data?.['submitServiceFeedback']).toMatchObject({ commentStored: false, commentRedacted: false });
    expect(readFeedbackMonth(dir, '2026-11')[0]).not.toHaveProperty('m');
  });

  it('refuses an unknown service, a rating outside 1..5 and a comment over the limit (in characters, not bytes)', async () => {
    const { schema } = subgraph({ feedback: { ...FEEDBACK, rateLimit: { burst: 100, refillPerMinute: 1 } } });
    const unknown = await submit(schema, { service: 'payroll', rating: 3 });
    expect(codeOf(unknown)).toBe('ERR_BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toContain('mawared, gov-cloud');
    for (const rating of [0, 6, -1]) expect(codeOf(await submit(schema, { service: 'mawared', rating }))).toBe('ERR_BAD_USER_INPUT');
    expect(codeOf(await submit(schema, { service: 'mawared', rating: 3, comment: 'ا'.repeat(21) }))).toBe('ERR_BAD_USER_INPUT');
    // Twenty Arabic letters are 40 bytes in UTF-8 but twenty characters: accepted.
    expect((await submit(schema, { service: 'mawared', rating: 3, comment: 'ا'.repeat(20) })).errors).toBeUndefined();
    expect(readFeedbackMonth(dir, '2026-11')).toHaveLength(1);
  });

  it('limits each caller with a token bucket and answers ERR_RATE_LIMITED with the wait', async () => {
    let now = NOW;
    const { schema } = subgraph({ now: () => now });
    for (let i = 0; i < 3; i++) expect((await submit(schema, { service: 'mawared', rating: 5 })).errors).toBeUndefined();
    const limited = await submit(schema, { service: 'mawared', rating: 5 });
    expect(codeOf(limited)).toBe('ERR_RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.['retryAfterSeconds']).toBe(60);
    // Another member system has its own bucket.
    expect((await submit(schema, { service: 'mawared', rating: 5 }, 'GCC:QA:GOV:HUKOOMI:app')).errors).toBeUndefined();
    now += 60_000;
    expect((await submit(schema, { service: 'mawared', rating: 5 })).errors).toBeUndefined();
    expect(readFeedbackMonth(dir, '2026-11').map((e) => e.st)).toEqual(['SA', 'SA', 'SA', 'QA', 'SA']);
  });

  it('refuses with ERR_FEEDBACK_DISABLED when service quality is off, and lists no services', async () => {
    const { schema } = subgraph({ log: undefined });
    expect(codeOf(await submit(schema, { service: 'mawared', rating: 4 }))).toBe('ERR_FEEDBACK_DISABLED');
    const listed = (await execute({ schema, document: parse('{ feedbackServices }') })) as ExecutionResult;
    expect(listed.data).toEqual({ feedbackServices: [] });
  });
});

describe('schemas/subgraphs/quality.graphql', () => {
  const typeDefs = readSubgraphSdl('quality');

  it('annotates every field with @sensitivity, the mutation as INTERNAL', () => {
    const levels = readFieldSensitivities(typeDefs);
    const fields = listObjectFields(typeDefs);
    expect(fields.length).toBeGreaterThan(5);
    expect(fields.filter((field) => !levels.has(field))).toEqual([]);
    expect(levels.get('Mutation.submitServiceFeedback')).toBe('INTERNAL');
  });

  it('describes everything in English and Arabic', () => {
    expect(findMonolingualDescriptions(typeDefs)).toEqual([]);
  });

  it('composes with the other subgraphs', () => {
    const others = listSubgraphSdlNames()
      .filter((name) => name !== 'quality')
      .map((name) => ({ name, typeDefs: readSubgraphSdl(name) }));
    expect(composeWithOthers('quality', typeDefs, others).errors).toEqual([]);
  });
});
