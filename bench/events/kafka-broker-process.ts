/**
 * The Kafka wire-protocol test broker (test/kafka-broker/) in a process of its own, for the events
 * bench: in production the broker is another machine, so the bench's `kafka-child` rows keep the
 * broker's work off the gateway's event loop (the `kafka` rows run it in the gateway's process).
 * Prints `{"brokers":["127.0.0.1:<port>"]}` on stdout once it listens (and sends the same to a
 * parent that forked it), and stops on SIGTERM, SIGINT or when the parent goes away.
 *
 *   node dist/bench/events/kafka-broker-process.js [partitions=3]
 */
import { startKafkaTestBroker } from '../../test/kafka-broker/index.js';

const broker = await startKafkaTestBroker({ defaultPartitions: Number(process.argv[2] ?? '3') });
const ready = { brokers: broker.brokers };
console.log(JSON.stringify(ready));
process.send?.(ready);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void broker.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
