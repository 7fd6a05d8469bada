import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { crc32c } from './crc32c.js';

describe('crc32c', () => {
  it('matches the check value of the Castagnoli CRC for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789', 'ascii'))).toBe(0xe3069283);
  });

  // RFC 3720 (iSCSI), appendix B.4: CRC examples.
  it('matches the RFC 3720 test vectors', () => {
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, index) => index)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, index) => 31 - index)))).toBe(0x113fdb5c);
  });

  it('is 0 for no bytes', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with the independent implementation inside kafkajs on random data', () => {
    const require = createRequire(import.meta.url);
    const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (bytes: Buffer) => number;
    for (let round = 0; round < 20; round += 1) {
      const bytes = randomBytes(round * 37);
      expect(crc32c(bytes)).toBe(kafkajsCrc32c(bytes) >>> 0);
    }
  });
});
