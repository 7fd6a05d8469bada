/** Retention inside a running gateway: old closed segments go, archived and recorded, and the log still verifies. */
import { expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSegments } from '../../gateway/audit/evidence-log.js';
import { verifyLog } from '../../gateway/audit/verify-log.js';
import { postGraphQL, startTestGateway } from '../support/gateway-harness.js';

it('archives, records and removes old closed segments while serving, and the remaining chain verifies from its anchor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gccgw-retention-gw-'));
  const archiveDir = join(dir, 'archive');
  // The first pass runs at start: fill several small segments first, then start again with retention on.
  const first = await startTestGateway({ audit: { dir: join(dir, 'audit'), segmentMaxBytes: 4096 } });
  for (let i = 0; i < 40; i++) expect((await postGraphQL(first.graphqlUrl, { query: '{ governmentEntity(state: QA, code: "MOF") { code } }' })).status).toBe(200);
  await first.stop();
  const before = listSegments(join(dir, 'audit')).length;
  expect(before).toBeGreaterThan(4);

  const second = await startTestGateway({ audit: { dir: join(dir, 'audit'), segmentMaxBytes: 4096, retention: { keepSegments: 2, archiveDir } } });
  expect((await postGraphQL(second.graphqlUrl, { query: '{ governmentEntity(state: QA, code: "MOF") { code } }' })).status).toBe(200);
  await second.stop();

  const after = listSegments(join(dir, 'audit'));
  expect(after.length).toBeLessThan(before);
  expect(readdirSync(archiveDir).length).toBeGreaterThan(0);
  const report = verifyLog(join(dir, 'audit'));
  expect(report.ok).toBe(true);
  expect(report.start?.seq).toBeGreaterThan(1);
  expect(report.removed?.length).toBeGreaterThan(0);
}, 120_000);
