/** Shared by the kafkajs suites: quiet, fast-failing clients and a polling wait. */
import kafkajs from 'kafkajs';
import type { Kafka as KafkaClient, RetryOptions } from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** A kafkajs client with short timeouts and retries, silent unless something is badly wrong. */
export function quietKafka(
  brokers: string[],
  retry: RetryOptions = { retries: 3, initialRetryTime: 50, maxRetryTime: 300 },
  clientId = 'kafka-broker-test',
): KafkaClient {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry,
  });
}

/** Polls `condition` every 25 ms until it holds; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
