/**
 * Test support: a key source for initDemoPki that keeps generated keys in a directory under the OS
 * temp dir, so each test process does not pay for RSA-3072 generation again. Test keys only; they
 * never leave the machine's temp directory.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, keyPairFromPem, privateKeyPem, type KeyPair, type KeyType } from '../pki/key-pair.js';

const DIR = join(tmpdir(), 'gccgw-trust-test-keys');

export async function cachedTestKey(slot: string, type: KeyType): Promise<KeyPair> {
  const path = join(DIR, `${slot.replace(/[^a-zA-Z0-9-]/g, '_')}.${type}.pem`);
  try {
    const key = keyPairFromPem(await readFile(path, 'utf8'));
    if (key.type === type) return key;
  } catch {
    // not cached yet
  }
  const key = await generateKeyPair(type);
  await mkdir(DIR, { recursive: true, mode: 0o700 });
  await writeFile(`${path}.${process.pid}`, privateKeyPem(key), { mode: 0o600 });
  // Rename is atomic, so parallel test workers never read a half-written key.
  await (await import('node:fs/promises')).rename(`${path}.${process.pid}`, path);
  return key;
}
