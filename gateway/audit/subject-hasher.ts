import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SUBJECT_KEY_FILE = 'subject-key';

/**
 * Data subjects (national IDs and the like) are recorded as HMAC-SHA-256 under a key kept beside
 * the log, not in clear: the log answers "who accessed this person's data" for someone who knows
 * the ID, without being itself a register of IDs for whoever reads the files.
 */
export class SubjectHasher {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Loads the key from `<dir>/subject-key`, creating it (0600) on first use. */
  static forLog(dir: string): SubjectHasher {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, SUBJECT_KEY_FILE);
    if (!existsSync(file)) {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit hex key`);
    return new SubjectHasher(key);
  }

  /** `kind:value` keeps a national ID from colliding with, say, an employee number. */
  hash(kind: string, value: string): string {
    return `hmac-sha256:${createHmac('sha256', this.#key).update(`${kind}:${value.trim()}`).digest('hex')}`;
  }
}
