/**
 * Kafka error codes the test broker returns, by the names the Kafka protocol guide uses
 * (https://kafka.apache.org/protocol#protocol_error_codes), plus the two error classes the broker
 * throws internally.
 */
export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_FOR_PARTITION: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  UNKNOWN_PRODUCER_ID: 59,
  GROUP_ID_NOT_FOUND: 69,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  MEMBER_ID_REQUIRED: 79,
  UNKNOWN_SERVER_ERROR: -1,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** Thrown while decoding untrusted bytes; the server answers it by closing that connection only. */
export class MalformedRequestError extends Error {
  readonly code = 'ERR_KAFKA_TEST_BROKER_MALFORMED_REQUEST';
  override readonly name = 'MalformedRequestError';
}

/**
 * Thrown while parsing a well-framed value that Kafka rejects with an error code (a record batch
 * with a bad CRC, an unknown codec); the handler turns it into that partition's `error_code`.
 */
export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}
