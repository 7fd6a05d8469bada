import { describe, expect, it } from '@jest/globals';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFully } from './write-fully.js';

describe('writeFully', () => {
  it('appends every byte of large and empty buffers, in call order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gccgw-write-fully-'));
    try {
      const path = join(dir, 'out.bin');
      const fd = openSync(path, 'a');
      const big = Buffer.alloc(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      await writeFully(fd, Buffer.from('head'));
      await writeFully(fd, new Uint8Array(0));
      await writeFully(fd, big);
      closeSync(fd);
      expect(readFileSync(path).equals(Buffer.concat([Buffer.from('head'), big]))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a descriptor it cannot write', async () => {
    await expect(writeFully(-1, Buffer.from('x'))).rejects.toThrow();
  });
});
