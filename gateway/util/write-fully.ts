import { write } from 'node:fs';
import { promisify } from 'node:util';

const writeAsync = promisify(write) as (fd: number, buffer: Uint8Array, offset: number, length: number) => Promise<{ bytesWritten: number }>;

/**
 * Writes all of `bytes` to `fd` on the libuv thread pool (at the file's end for a file opened for
 * appending). fs.write may write fewer bytes than asked (e.g. near a full disk): the rest is
 * written, and a write that makes no progress fails instead of looping for ever.
 */
export async function writeFully(fd: number, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await writeAsync(fd, bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}
