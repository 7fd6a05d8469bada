/**
 * Cross-check with an independent client: kcat (librdkafka 2.x, Debian package `kcat`), which
 * shares no code with kafkajs or with this broker. Runs where kcat is on the PATH and is skipped
 * elsewhere (the build machines do not install it).
 */
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startKafkaTestBroker, type KafkaTestBroker } from './index.js';
import { quietKafka } from './test-helpers.js';

const hasKcat = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
const describeWithKcat = hasKcat ? describe : describe.skip;

let broker: KafkaTestBroker;

/** Runs kcat without blocking the event loop: the broker answers from this very process. */
function kcat(args: string[], input = ''): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kcat',
      ['-b', broker.brokers[0] as string, '-m', '5', ...args],
      { timeout: 20_000, encoding: 'utf8' },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr })),
    );
    child.stdin?.end(input);
  });
}

beforeAll(async () => {
  // librdkafka enables features only when old versions fall inside the advertised ranges.
  broker = await startKafkaTestBroker({ defaultPartitions: 2, advertiseFromVersionZero: true });
});

afterAll(async () => {
  await broker?.close();
});

describeWithKcat('the Kafka test broker with kcat (librdkafka)', () => {
  it('lists the broker and the partitions of a topic', async () => {
    broker.createTopic('kcat-topic', 2);
    const metadata = JSON.parse((await kcat(['-L', '-J'])).stdout) as {
      brokers: Array<{ id: number; name: string }>;
      topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
    };
    expect(metadata.brokers).toEqual([{ id: broker.brokerId, name: broker.brokers[0] }]);
    expect(metadata.topics.find((topic) => topic.topic === 'kcat-topic')?.partitions).toHaveLength(2);
  });

  it('stores what an idempotent kcat producer sends, with keys and headers', async () => {
    await kcat(['-P', '-t', 'kcat-topic', '-p', '1', '-K', ':', '-H', 'ce_type=gcc.test.v1', '-X', 'enable.idempotence=true'], 'k1:v1\nk2:v2\nk3:v3\n');
    expect(
      broker.records('kcat-topic', 1).map((record) => [record.key?.toString(), record.value?.toString(), record.headers[0]?.value?.toString()]),
    ).toEqual([
      ['k1', 'v1', 'gcc.test.v1'],
      ['k2', 'v2', 'gcc.test.v1'],
      ['k3', 'v3', 'gcc.test.v1'],
    ]);
  });

  it('serves the records back to kcat by offset', async () => {
    const { stdout } = await kcat(['-C', '-t', 'kcat-topic', '-p', '1', '-o', '1', '-e', '-f', '%k=%s@%o\\n']);
    expect(stdout.trim().split('\n')).toEqual(['k2=v2@1', 'k3=v3@2']);
  });

  it('runs a kcat consumer group whose committed offsets kafkajs then reads', async () => {
    const { stdout } = await kcat(['-G', 'kcat-group', '-o', 'beginning', '-e', '-f', '%s\\n', 'kcat-topic']);
    expect(stdout.trim().split('\n').sort()).toEqual(['v1', 'v2', 'v3']);
    const admin = quietKafka(broker.brokers).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: 'kcat-group', topics: ['kcat-topic'] });
      expect(offsets[0]?.partitions.find((partition) => partition.partition === 1)?.offset).toBe('3');
    } finally {
      await admin.disconnect();
    }
  });

  it('finds an offset by timestamp for kcat', async () => {
    const firstTimestamp = broker.records('kcat-topic', 1)[0]?.timestamp ?? 0;
    const { stdout } = await kcat(['-Q', '-t', `kcat-topic:1:${firstTimestamp}`]);
    expect(stdout).toContain('kcat-topic [1] offset 0');
  });
});
