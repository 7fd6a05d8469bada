/**
 * InitProducerId (key 22)
 *
 *   InitProducerId Request (Version: 1) => transactional_id (NULLABLE_STRING) transaction_timeout_ms (INT32)
 *   InitProducerId Response (Version: 1) => throttle_time_ms error_code producer_id (INT64)
 *                                          producer_epoch (INT16)
 */
import type { Decoder } from '../decoder.js';
import type { Encoder } from '../encoder.js';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export function decodeInitProducerIdRequest(decoder: Decoder): InitProducerIdRequest {
  return { transactionalId: decoder.readNullableString(), transactionTimeoutMs: decoder.readInt32() };
}

export function encodeInitProducerIdResponse(encoder: Encoder, response: InitProducerIdResponse): void {
  encoder.writeInt32(0).writeInt16(response.errorCode).writeInt64(response.producerId).writeInt16(response.producerEpoch);
}
