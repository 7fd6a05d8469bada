import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerDocumentsCommand } from './documents-command.js';
import { commandRunner } from '../testing/run-commands.js';

let dir: string;

/** `gccgw <args>`, in-process. */
const gccgw = commandRunner(registerDocumentsCommand);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gccgw-documents-'));
  await writeFile(join(dir, 'portal.graphql'), 'query Skus { cloudSkus { name } }\nmutation Cancel($id: ID!) { cancelProvisioning(id: $id) { id state } }\n');
  await writeFile(join(dir, 'anonymous.graphql'), '{ cloudSkus { name } }\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gccgw documents', () => {
  it('add creates the manifest, lists what it added, and a second add changes nothing', async () => {
    const manifest = join(dir, 'var', 'trusted.json');
    const first = await gccgw('documents', 'add', join(dir, 'portal.graphql'), '--manifest', manifest);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^added\s+query\s+Skus {2}sha256:[0-9a-f]{64}$/m);
    expect(first.stdout).toMatch(/^added\s+mutation\s+Cancel {2}sha256:[0-9a-f]{64}$/m);
    expect(first.stdout).toContain(`${manifest}: 2 trusted document(s), 2 added`);
    const written = JSON.parse(await readFile(manifest, 'utf8')) as { operations: Array<{ id: string; body: string }> };
    for (const operation of written.operations) expect(operation.id).toBe(createHash('sha256').update(operation.body).digest('hex'));

    const again = await gccgw('documents', 'add', join(dir, 'portal.graphql'), '--manifest', manifest, '--json');
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout) as { added: unknown[]; unchanged: Array<{ name: string; id: string }> };
    expect(json.added).toEqual([]);
    expect(json.unchanged.map((d) => d.name)).toEqual(['Skus', 'Cancel']);
    expect(json.unchanged[0]?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('list prints the trusted documents, or JSON with their texts', async () => {
    const manifest = join(dir, 'list.json');
    expect((await gccgw('documents', 'add', join(dir, 'portal.graphql'), '--manifest', manifest)).code).toBe(0);
    const human = await gccgw('documents', 'list', '--manifest', manifest);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n').filter((line) => line.includes('sha256:')).map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual(['mutation Cancel', 'query Skus']);
    const json = JSON.parse((await gccgw('documents', 'list', '--manifest', manifest, '--json')).stdout) as Array<{ name: string; body: string }>;
    expect(json.map((d) => d.name)).toEqual(['Cancel', 'Skus']);
    expect(json[1]?.body).toBe('query Skus {\n  cloudSkus {\n    name\n  }\n}');
  });

  it('add refuses an anonymous operation with its code and exit 1, writing nothing', async () => {
    const manifest = join(dir, 'anonymous.json');
    const result = await gccgw('documents', 'add', join(dir, 'anonymous.graphql'), '--manifest', manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[ERR_CONFIG_INVALID]');
    expect(result.stderr).toContain('every operation needs a name');
    await expect(readFile(manifest, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('list refuses a missing or tampered manifest with exit 1', async () => {
    const missing = await gccgw('documents', 'list', '--manifest', join(dir, 'nowhere.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot be read');

    const manifest = join(dir, 'tampered.json');
    expect((await gccgw('documents', 'add', join(dir, 'portal.graphql'), '--manifest', manifest)).code).toBe(0);
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('cloudSkus', 'cloudTenants'));
    const tampered = await gccgw('documents', 'list', '--manifest', manifest);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain('is not the SHA-256 of its body');
  });
});
