/**
 * The broker at the byte level, through a raw socket: framing, ordering, version negotiation,
 * produce validation, idempotence, long-poll fetch and containment of malformed input.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKey, SUPPORTED_VERSIONS, type ApiName } from './protocol/api-keys.js';
import type { Decoder } from './protocol/decoder.js';
import type { Encoder } from './protocol/encoder.js';
import { ErrorCode } from './protocol/errors.js';
import { crc32c } from './protocol/crc32c.js';
import { encodeRecordBatch, type EncodeRecordBatchOptions } from './protocol/record-batch.js';
import { RawKafkaClient } from './raw-client.js';
import { startKafkaTestBroker, type KafkaTestBroker } from './index.js';

let broker: KafkaTestBroker;
let strictBroker: KafkaTestBroker;
const clients: RawKafkaClient[] = [];

async function client(port = broker.port): Promise<RawKafkaClient> {
  const opened = await RawKafkaClient.open(port);
  clients.push(opened);
  return opened;
}

beforeAll(async () => {
  broker = await startKafkaTestBroker({ defaultPartitions: 2, maxFrameBytes: 64 * 1024, maxMessageBytes: 4096 });
  strictBroker = await startKafkaTestBroker({ autoCreateTopics: false });
});

afterAll(async () => {
  await Promise.all(clients.map((each) => each.close()));
  await broker?.close();
  await strictBroker?.close();
});

const writeMetadataRequest = (topics: string[] | null, allowAutoTopicCreation = true) => (e: Encoder) => {
  if (topics === null) e.writeInt32(-1);
  else e.writeArray(topics, (ee, topic) => void ee.writeString(topic));
  e.writeBoolean(allowAutoTopicCreation);
};

function readMetadataTopics(d: Decoder): Array<{ errorCode: number; name: string; partitions: number }> {
  d.readInt32();
  d.readArray((bd) => [bd.readInt32(), bd.readString(), bd.readInt32(), bd.readNullableString()]);
  d.readNullableString();
  d.readInt32();
  return d.readArray((td) => {
    const errorCode = td.readInt16();
    const name = td.readString();
    td.readBoolean();
    const partitions = td.readArray((pd) => {
      pd.readInt16();
      pd.readInt32();
      pd.readInt32();
      pd.readArray((x) => x.readInt32());
      pd.readArray((x) => x.readInt32());
      pd.readArray((x) => x.readInt32());
      return 0;
    }).length;
    return { errorCode, name, partitions };
  });
}

const writeProduceRequest = (topic: string, partition: number, recordSet: Buffer, acks = -1) => (e: Encoder) => {
  e.writeNullableString(null).writeInt16(acks).writeInt32(1000);
  e.writeArray([0], (te) => {
    te.writeString(topic).writeArray([0], (pe) => void pe.writeInt32(partition).writeBytes(recordSet));
  });
};

function readProduceResponse(d: Decoder): { errorCode: number; baseOffset: bigint } {
  const [result] = d.readArray((td) => {
    td.readString();
    return td.readArray((pd) => {
      pd.readInt32();
      const errorCode = pd.readInt16();
      const baseOffset = pd.readInt64();
      pd.readInt64();
      pd.readInt64();
      return { errorCode, baseOffset };
    });
  });
  return result?.[0] ?? { errorCode: -99, baseOffset: -99n };
}

async function produce(raw: RawKafkaClient, topic: string, partition: number, batch: Buffer) {
  return readProduceResponse(await raw.request(ApiKey.Produce, 7, writeProduceRequest(topic, partition, batch)));
}

const batchOf = (values: string[], options: Partial<EncodeRecordBatchOptions> = {}) =>
  encodeRecordBatch({ records: values.map((value) => ({ value, timestamp: 1_700_000_000_000 })), ...options });

const writeFetchRequest = (topic: string, partition: number, offset: number, maxWaitMs: number) => (e: Encoder) => {
  e.writeInt32(-1).writeInt32(maxWaitMs).writeInt32(1).writeInt32(1024 * 1024).writeInt8(0).writeInt32(0).writeInt32(-1);
  e.writeArray([0], (te) => {
    te.writeString(topic).writeArray([0], (pe) => {
      pe.writeInt32(partition).writeInt32(-1).writeInt64(offset).writeInt64(-1).writeInt32(1024 * 1024);
    });
  });
  e.writeInt32(0).writeString('');
};

function readFetchResponse(d: Decoder): { errorCode: number; highWatermark: bigint; records: Buffer } {
  d.readInt32();
  expect(d.readInt16()).toBe(0);
  d.readInt32();
  const [topic] = d.readArray((td) => {
    td.readString();
    return td.readArray((pd) => {
      pd.readInt32();
      const errorCode = pd.readInt16();
      const highWatermark = pd.readInt64();
      pd.readInt64();
      pd.readInt64();
      pd.readArray((ad) => [ad.readInt64(), ad.readInt64()]);
      pd.readInt32();
      return { errorCode, highWatermark, records: Buffer.from(pd.readBytes()) };
    });
  });
  return topic?.[0] ?? { errorCode: -99, highWatermark: -99n, records: Buffer.alloc(0) };
}

describe('the Kafka test broker on the wire', () => {
  it('answers pipelined requests in order, each with its own correlation id', async () => {
    const raw = await client();
    const frames = [
      raw.frame(ApiKey.ApiVersions, 2, () => undefined),
      raw.frame(ApiKey.Metadata, 6, writeMetadataRequest(null)),
      raw.frame(ApiKey.ApiVersions, 0, () => undefined),
    ];
    const responses = frames.map((frame) => raw.expect(frame.correlationId));
    raw.writeRaw(Buffer.concat(frames.map((frame) => frame.bytes)));
    const [first, second, third] = await Promise.all(responses);
    expect(first?.readInt16()).toBe(ErrorCode.NONE);
    expect(second?.readInt32()).toBe(0);
    expect(third?.readInt16()).toBe(ErrorCode.NONE);
  });

  it('answers hundreds of requests pipelined in one write, all in order', async () => {
    const raw = await client();
    const frames = Array.from({ length: 300 }, () => raw.frame(ApiKey.ApiVersions, 1, () => undefined));
    const responses = frames.map((frame) => raw.expect(frame.correlationId));
    raw.writeRaw(Buffer.concat(frames.map((frame) => frame.bytes)));
    const decoders = await Promise.all(responses);
    expect(decoders.every((decoder) => decoder.readInt16() === ErrorCode.NONE)).toBe(true);
  });

  it('advertises exactly the versions it implements in ApiVersions', async () => {
    const raw = await client();
    const d = await raw.request(ApiKey.ApiVersions, 2, () => undefined);
    expect(d.readInt16()).toBe(ErrorCode.NONE);
    const advertised = d.readArray((ad) => ({ apiKey: ad.readInt16(), minVersion: ad.readInt16(), maxVersion: ad.readInt16() }));
    expect(d.readInt32()).toBe(0);
    expect(d.remaining).toBe(0);
    const expected = (Object.keys(SUPPORTED_VERSIONS) as ApiName[]).map((name) => ({
      apiKey: ApiKey[name],
      ...SUPPORTED_VERSIONS[name],
    }));
    expect(advertised).toEqual(expect.arrayContaining(expected));
    expect(advertised).toHaveLength(expected.length);
    expect(advertised.find((api) => api.apiKey === ApiKey.Fetch)).toEqual({ apiKey: 1, minVersion: 11, maxVersion: 11 });
  });

  it('answers a flexible ApiVersions v3 probe with UNSUPPORTED_VERSION in the v0 layout', async () => {
    const raw = await client();
    const d = await raw.request(ApiKey.ApiVersions, 3, (e) => {
      e.writeUnsignedVarInt(0); // request header v2 tagged fields
      e.writeUnsignedVarInt(5).writeRaw(Buffer.from('kcat')); // client_software_name (COMPACT_STRING)
      e.writeUnsignedVarInt(4).writeRaw(Buffer.from('1.7')); // client_software_version
      e.writeUnsignedVarInt(0);
    });
    expect(d.readInt16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const advertised = d.readArray((ad) => ({ apiKey: ad.readInt16(), minVersion: ad.readInt16(), maxVersion: ad.readInt16() }));
    expect(advertised).toContainEqual({ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 });
    expect(d.remaining).toBe(0);
  });

  it('speaks the older Metadata, ListOffsets and LeaveGroup versions librdkafka sends', async () => {
    broker.createTopic('older-versions', 1);
    const raw = await client();
    const v1 = await raw.request(ApiKey.Metadata, 1, (e) => void e.writeArray(['older-versions'], (ee, t) => void ee.writeString(t)));
    // v1: no throttle time, no cluster id, no offline replicas.
    expect(v1.readArray((bd) => [bd.readInt32(), bd.readString(), bd.readInt32(), bd.readNullableString()])).toEqual([
      [broker.brokerId, '127.0.0.1', broker.port, null],
    ]);
    expect(v1.readInt32()).toBe(broker.brokerId);
    const [topic] = v1.readArray((td) => ({
      errorCode: td.readInt16(),
      name: td.readString(),
      internal: td.readBoolean(),
      partitions: td.readArray((pd) => [pd.readInt16(), pd.readInt32(), pd.readInt32(), pd.readArray((x) => x.readInt32()), pd.readArray((x) => x.readInt32())]),
    }));
    expect(topic).toEqual({ errorCode: 0, name: 'older-versions', internal: false, partitions: [[0, 0, 1, [1], [1]]] });
    expect(v1.remaining).toBe(0);

    const v4 = await raw.request(ApiKey.Metadata, 4, writeMetadataRequest(['older-versions']));
    v4.readInt32();
    v4.readArray((bd) => [bd.readInt32(), bd.readString(), bd.readInt32(), bd.readNullableString()]);
    expect(v4.readNullableString()).toBe('gccgw-kafka-test-cluster');
    v4.readInt32();
    v4.readArray((td) => [td.readInt16(), td.readString(), td.readBoolean(), td.readArray((pd) => [pd.readInt16(), pd.readInt32(), pd.readInt32(), pd.readArray((x) => x.readInt32()), pd.readArray((x) => x.readInt32())])]);
    expect(v4.remaining).toBe(0);

    const offsets = await raw.request(ApiKey.ListOffsets, 1, (e) => {
      e.writeInt32(-1);
      e.writeArray(['older-versions'], (te, t) => void te.writeString(t).writeArray([0], (pe) => void pe.writeInt32(0).writeInt64(-1n)));
    });
    const [listed] = offsets.readArray((td) => [td.readString(), td.readArray((pd) => [pd.readInt32(), pd.readInt16(), pd.readInt64(), pd.readInt64()])]);
    expect(listed).toEqual(['older-versions', [[0, 0, -1n, 0n]]]);
    expect(offsets.remaining).toBe(0);

    const leave = await raw.request(ApiKey.LeaveGroup, 1, (e) => void e.writeString('no-such-group').writeString('nobody'));
    leave.readInt32();
    expect(leave.readInt16()).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(leave.remaining).toBe(0);
  });

  it('closes the connection on a request at a version it does not implement', async () => {
    const raw = await client();
    await expect(raw.request(ApiKey.Metadata, 0, (e) => void e.writeArray([], () => undefined))).rejects.toThrow(
      'connection closed',
    );
  });

  it('closes the connection on an unknown API key or a body that does not decode, and only that one', async () => {
    const bystander = await client();
    const unknownKey = await client();
    unknownKey.writeRaw(unknownKey.frame(0x7777, 0, () => undefined).bytes);
    await unknownKey.closed;
    const lying = await client();
    // Metadata v6 whose topic array claims a million entries in a few bytes.
    lying.writeRaw(lying.frame(ApiKey.Metadata, 6, (e) => void e.writeInt32(1_000_000).writeInt16(1)).bytes);
    await lying.closed;
    const tooLarge = await client();
    tooLarge.writeRaw(Buffer.from([0x00, 0x10, 0x00, 0x00, 0x00, 0x12]));
    await tooLarge.closed;
    const d = await bystander.request(ApiKey.ApiVersions, 1, () => undefined);
    expect(d.readInt16()).toBe(ErrorCode.NONE);
  });

  it('creates a topic on Metadata when auto-creation is allowed, and only then', async () => {
    const raw = await client();
    expect(readMetadataTopics(await raw.request(ApiKey.Metadata, 6, writeMetadataRequest(['not-yet'], false)))).toEqual([
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'not-yet', partitions: 0 },
    ]);
    expect(readMetadataTopics(await raw.request(ApiKey.Metadata, 6, writeMetadataRequest(['auto-made'])))).toEqual([
      { errorCode: ErrorCode.NONE, name: 'auto-made', partitions: 2 },
    ]);
    expect(readMetadataTopics(await raw.request(ApiKey.Metadata, 6, writeMetadataRequest(['bad name!'])))).toEqual([
      { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name: 'bad name!', partitions: 0 },
    ]);
    const strict = await client(strictBroker.port);
    expect(readMetadataTopics(await strict.request(ApiKey.Metadata, 6, writeMetadataRequest(['auto-made'])))).toEqual([
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'auto-made', partitions: 0 },
    ]);
  });

  it('appends batches at increasing offsets and rejects corrupt ones with CORRUPT_MESSAGE', async () => {
    broker.createTopic('validated', 1);
    const raw = await client();
    expect(await produce(raw, 'validated', 0, batchOf(['a', 'b']))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produce(raw, 'validated', 0, batchOf(['c']))).toEqual({ errorCode: 0, baseOffset: 2n });

    const flipped = batchOf(['d']);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 0xff;
    expect((await produce(raw, 'validated', 0, flipped)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);

    const unknownCodec = batchOf(['e']);
    unknownCodec.writeInt16BE(0x0006, 21);
    unknownCodec.writeUInt32BE(crc32c(unknownCodec.subarray(21)), 17);
    expect((await produce(raw, 'validated', 0, unknownCodec)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);

    expect((await produce(raw, 'validated', 0, batchOf(['x'.repeat(5000)]))).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await produce(raw, 'validated', 7, batchOf(['f']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(broker.records('validated', 0).map((record) => record.value?.toString())).toEqual(['a', 'b', 'c']);
  });

  it('returns the original offset for a duplicate idempotent batch and refuses a sequence gap', async () => {
    broker.createTopic('idempotent', 1);
    const raw = await client();
    const init = await raw.request(ApiKey.InitProducerId, 1, (e) => void e.writeNullableString(null).writeInt32(60_000));
    init.readInt32();
    expect(init.readInt16()).toBe(ErrorCode.NONE);
    const producerId = init.readInt64();
    const producerEpoch = init.readInt16();
    const idempotent = (values: string[], baseSequence: number) =>
      batchOf(values, { producerId, producerEpoch, baseSequence });

    expect(await produce(raw, 'idempotent', 0, batchOf(['other']))).toEqual({ errorCode: 0, baseOffset: 0n });
    expect(await produce(raw, 'idempotent', 0, idempotent(['p0', 'p1'], 0))).toEqual({ errorCode: 0, baseOffset: 1n });
    // The retry of a batch whose response was lost: same sequences, same answer, no second copy.
    expect(await produce(raw, 'idempotent', 0, idempotent(['p0', 'p1'], 0))).toEqual({ errorCode: 0, baseOffset: 1n });
    expect((await produce(raw, 'idempotent', 0, idempotent(['p5'], 5))).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(await produce(raw, 'idempotent', 0, idempotent(['p2'], 2))).toEqual({ errorCode: 0, baseOffset: 3n });
    expect((await produce(raw, 'idempotent', 0, batchOf(['old'], { producerId, producerEpoch: producerEpoch - 1, baseSequence: 3 }))).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    expect(broker.records('idempotent', 0).map((record) => record.value?.toString())).toEqual(['other', 'p0', 'p1', 'p2']);
  });

  it('sends nothing back for acks=0 and still answers the next request', async () => {
    broker.createTopic('fire-and-forget', 1);
    const raw = await client();
    raw.writeRaw(raw.frame(ApiKey.Produce, 7, writeProduceRequest('fire-and-forget', 0, batchOf(['quiet']), 0)).bytes);
    const d = await raw.request(ApiKey.ApiVersions, 0, () => undefined);
    expect(d.readInt16()).toBe(ErrorCode.NONE);
    expect(broker.records('fire-and-forget', 0)).toHaveLength(1);
  });

  it('holds a Fetch at the end of the log until a batch arrives, then returns it byte for byte', async () => {
    broker.createTopic('long-poll', 1);
    const consumer = await client();
    const producer = await client();
    const started = Date.now();
    const fetched = consumer.request(ApiKey.Fetch, 11, writeFetchRequest('long-poll', 0, 0, 5000));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const batch = batchOf(['wake up']);
    expect((await produce(producer, 'long-poll', 0, batch)).errorCode).toBe(0);
    const response = readFetchResponse(await fetched);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(response).toEqual({ errorCode: 0, highWatermark: 1n, records: batch });
  });

  it('answers a Fetch with nothing to return once maxWaitTime has passed', async () => {
    broker.createTopic('quiet', 1);
    const raw = await client();
    const started = Date.now();
    const response = readFetchResponse(await raw.request(ApiKey.Fetch, 11, writeFetchRequest('quiet', 0, 0, 200)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(response).toEqual({ errorCode: 0, highWatermark: 0n, records: Buffer.alloc(0) });
  });

  it('answers a Fetch past the end with OFFSET_OUT_OF_RANGE and for a missing partition with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const raw = await client();
    const beyond = readFetchResponse(await raw.request(ApiKey.Fetch, 11, writeFetchRequest('validated', 0, 99, 1000)));
    expect(beyond.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const missing = readFetchResponse(await raw.request(ApiKey.Fetch, 11, writeFetchRequest('validated', 5, 0, 1000)));
    expect(missing.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('lists the earliest and latest offsets', async () => {
    const raw = await client();
    const d = await raw.request(ApiKey.ListOffsets, 3, (e) => {
      e.writeInt32(-1).writeInt8(0);
      e.writeArray(['validated'], (te, topic) => {
        te.writeString(topic).writeArray([-2n, -1n], (pe, timestamp) => void pe.writeInt32(0).writeInt64(timestamp));
      });
    });
    d.readInt32();
    const [offsets] = d.readArray((td) => {
      td.readString();
      return td.readArray((pd) => ({ partition: pd.readInt32(), errorCode: pd.readInt16(), timestamp: pd.readInt64(), offset: pd.readInt64() }));
    });
    expect(offsets).toEqual([
      { partition: 0, errorCode: 0, timestamp: -1n, offset: 0n },
      { partition: 0, errorCode: 0, timestamp: -1n, offset: 3n },
    ]);
  });
});
