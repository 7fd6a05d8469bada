/**
 * The broker's topics and their partition logs, plus the signal long-polling Fetch requests wait
 * on. Topic names follow Kafka's rules (`[a-zA-Z0-9._-]`, at most 249 characters, not `.` or `..`).
 */
import { PartitionLog } from './partition-log.js';

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(name: string): boolean {
  return LEGAL_TOPIC_NAME.test(name) && name !== '.' && name !== '..';
}

export interface Topic {
  name: string;
  partitions: PartitionLog[];
}

export class TopicStore {
  private readonly topicsByName = new Map<string, Topic>();
  private appendWaiters = new Set<() => void>();
  private closed = false;

  get(name: string): Topic | undefined {
    return this.topicsByName.get(name);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topicsByName.get(topic)?.partitions[partition];
  }

  names(): string[] {
    return [...this.topicsByName.keys()].sort();
  }

  all(): Topic[] {
    return [...this.topicsByName.values()];
  }

  /** Creates a topic; the caller has checked the name and partition count. */
  create(name: string, partitionCount: number): Topic {
    const topic: Topic = {
      name,
      partitions: Array.from({ length: partitionCount }, (_, partition) => new PartitionLog(name, partition)),
    };
    this.topicsByName.set(name, topic);
    return topic;
  }

  delete(name: string): boolean {
    const deleted = this.topicsByName.delete(name);
    if (deleted) this.notifyAppend();
    return deleted;
  }

  clear(): void {
    this.topicsByName.clear();
    this.notifyAppend();
  }

  /** Wakes every Fetch waiting for data; each re-reads its own partitions. */
  notifyAppend(): void {
    const waiters = this.appendWaiters;
    this.appendWaiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next append anywhere, after `timeoutMs`, or when the store closes. */
  waitForAppend(timeoutMs: number): Promise<void> {
    if (this.closed || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.appendWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.appendWaiters.add(wake);
    });
  }

  close(): void {
    this.closed = true;
    this.notifyAppend();
  }
}
