import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The lock file in a directory a single process owns (evidence log, service-quality store). */
export const LOCK_FILE = 'LOCK';

/** Why a directory could not be locked; the caller turns it into its own error. */
export type LockRefusal =
  | { readonly kind: 'in-use'; readonly owner: number }
  | { readonly kind: 'same-process' }
  | { readonly kind: 'io'; readonly cause: Error }
  | { readonly kind: 'contended' };

/**
 * Locks `dir` for this process: the lock file holds the owner's pid, created exclusively; a lock
 * whose owner is gone (a crash) is taken over. A lock this process already holds is taken over
 * (`sameProcess: 'take-over'`) or refused.
 */
export function acquireDirectoryLock(dir: string, options: { readonly sameProcess: 'take-over' | 'refuse'; readonly refuse: (refusal: LockRefusal) => Error }): void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw options.refuse({ kind: 'io', cause: error as Error });
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) throw options.refuse({ kind: 'in-use', owner });
      if (owner === process.pid && options.sameProcess === 'refuse') throw options.refuse({ kind: 'same-process' });
      unlinkSync(file);
    }
  }
  throw options.refuse({ kind: 'contended' });
}

/** Gives the lock back, if this process holds it. */
export function releaseDirectoryLock(dir: string): void {
  try {
    const file = join(dir, LOCK_FILE);
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
