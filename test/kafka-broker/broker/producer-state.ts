/**
 * Idempotent-producer bookkeeping (KIP-98): producer ids are handed out by InitProducerId, and
 * each partition remembers, per producer, its epoch, the last sequence appended and the last few
 * batches, so that a retried batch is recognised and answered with its original offset instead of
 * being appended twice.
 */
import { ErrorCode } from '../protocol/errors.js';

/** Kafka keeps the last five batches per producer: `max.in.flight.requests.per.connection` <= 5. */
const RETAINED_BATCHES = 5;

interface RetainedBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  batches: RetainedBatch[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

export interface ProducerBatchIdentity {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Sequences are INT32 and wrap to 0 after 2^31 - 1 (KIP-98). */
const nextSequence = (sequence: number): number => (sequence === 0x7fffffff ? 0 : sequence + 1);
const lastSequenceOf = (batch: ProducerBatchIdentity): number =>
  (batch.baseSequence + batch.recordCount - 1) % 0x80000000;

/** Sequence state of one partition. */
export class PartitionProducerState {
  private readonly producers = new Map<bigint, ProducerEntry>();

  check(batch: ProducerBatchIdentity): SequenceCheck {
    const entry = this.producers.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      // A new producer, or a new epoch of one, starts its sequences at 0.
      return batch.baseSequence === 0
        ? { kind: 'append' }
        : {
            kind: 'error',
            errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
            message: `first batch of producer ${batch.producerId} has sequence ${batch.baseSequence}, expected 0`,
          };
    }
    if (batch.producerEpoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `producer ${batch.producerId} epoch ${batch.producerEpoch} is older than ${entry.epoch}`,
      };
    }
    const lastSequence = lastSequenceOf(batch);
    const duplicate = entry.batches.find(
      (retained) => retained.firstSequence === batch.baseSequence && retained.lastSequence === lastSequence,
    );
    if (duplicate !== undefined) return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
    if (batch.baseSequence !== nextSequence(entry.lastSequence)) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `producer ${batch.producerId} sent sequence ${batch.baseSequence}, expected ${nextSequence(entry.lastSequence)}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records a batch that {@link check} allowed and the log appended at `baseOffset`. */
  appended(batch: ProducerBatchIdentity, baseOffset: number): void {
    let entry = this.producers.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      entry = { epoch: batch.producerEpoch, lastSequence: -1, batches: [] };
      this.producers.set(batch.producerId, entry);
    }
    const lastSequence = lastSequenceOf(batch);
    entry.lastSequence = lastSequence;
    entry.batches.push({ firstSequence: batch.baseSequence, lastSequence, baseOffset });
    if (entry.batches.length > RETAINED_BATCHES) entry.batches.shift();
  }
}

/** Hands out producer ids; a transactional id keeps its id and gets a higher epoch each time. */
export class ProducerIdAllocator {
  private nextId = 1000n;
  private readonly transactional = new Map<string, { producerId: bigint; epoch: number }>();

  allocate(transactionalId: string | null): { producerId: bigint; producerEpoch: number } {
    if (transactionalId === null) return { producerId: this.nextId++, producerEpoch: 0 };
    const known = this.transactional.get(transactionalId);
    if (known !== undefined && known.epoch < 0x7ffe) {
      known.epoch += 1;
      return { producerId: known.producerId, producerEpoch: known.epoch };
    }
    const created = { producerId: this.nextId++, epoch: 0 };
    this.transactional.set(transactionalId, created);
    return { producerId: created.producerId, producerEpoch: created.epoch };
  }
}
