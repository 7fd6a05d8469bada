/**
 * Test controls for failures a real cluster produces: answer the next requests of an API with an
 * error code, hold them for a while, or drop the connection without an answer.
 */
import type { ApiName } from '../protocol/api-keys.js';

export interface KafkaTestFault {
  /** Which requests the fault applies to. */
  api: Exclude<ApiName, 'ApiVersions'>;
  /** Answer with this Kafka error code (on every partition, topic or group in the request) instead of handling it. */
  errorCode?: number;
  /** Close the connection without answering. */
  closeConnection?: boolean;
  /** Wait this long before answering (or before applying `errorCode` / `closeConnection`). */
  delayMs?: number;
  /** How many matching requests are affected. @default 1 */
  times?: number;
  /** Only requests received by this broker. @default any broker */
  brokerId?: number;
  /** Only requests that name this topic. @default any topic */
  topic?: string;
  /** Only requests from clients with this client id (kafkajs `clientId`). @default any client */
  clientId?: string;
}

interface ArmedFault extends KafkaTestFault {
  remaining: number;
}

export class FaultInjector {
  private faults: ArmedFault[] = [];

  add(fault: KafkaTestFault): void {
    if (fault.errorCode === undefined && fault.closeConnection !== true && fault.delayMs === undefined) {
      throw new TypeError('a fault needs errorCode, closeConnection or delayMs');
    }
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times <= 0) throw new TypeError(`times must be a positive integer, got ${times}`);
    this.faults.push({ ...fault, remaining: times });
  }

  /** Takes the first armed fault matching this request, if any. */
  take(
    api: ApiName,
    request: { brokerId: number; clientId: string; topics: readonly string[] },
  ): KafkaTestFault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.api === api &&
        (candidate.brokerId === undefined || candidate.brokerId === request.brokerId) &&
        (candidate.clientId === undefined || candidate.clientId === request.clientId) &&
        (candidate.topic === undefined || request.topics.includes(candidate.topic)),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  get pending(): number {
    return this.faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }

  clear(): void {
    this.faults = [];
  }
}
