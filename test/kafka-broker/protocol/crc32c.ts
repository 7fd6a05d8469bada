/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka RecordBatch v2
 * (KIP-98: it covers the batch from `attributes` to the end). Table-driven, one byte at a time:
 * fast enough for test traffic and free of native dependencies.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let crc = index;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    table[index] = crc >>> 0;
  }
  return table;
})();

/**
 * CRC-32C of `bytes`, as an unsigned 32-bit number. Kept byte-at-a-time and separate from the
 * gateway's faster CRC (gateway/events/crc32c.ts), so that this broker's check of every batch stays
 * an independent check of what kafkajs (with the gateway's substitution) sends. An indexed loop:
 * `for...of` over a typed array ran at half the speed (~20 against ~10 µs per 4 KB record).
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  const length = bytes.length;
  for (let index = 0; index < length; index += 1) crc = (TABLE[(crc ^ (bytes[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
