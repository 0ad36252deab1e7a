/**
 * Kafka protocol error codes we name and classify. One table, used by the kafkajs adapter and the in-memory
 * broker alike, so an error is classified once, the same way everywhere.
 */
export const KAFKA_ERROR_CODES = {
  UNKNOWN_SERVER_ERROR: { code: -1, retriable: false },
  OFFSET_OUT_OF_RANGE: { code: 1, retriable: false },
  CORRUPT_MESSAGE: { code: 2, retriable: true },
  UNKNOWN_TOPIC_OR_PARTITION: { code: 3, retriable: true },
  LEADER_NOT_AVAILABLE: { code: 5, retriable: true },
  NOT_LEADER_OR_FOLLOWER: { code: 6, retriable: true },
  REQUEST_TIMED_OUT: { code: 7, retriable: true },
  NETWORK_EXCEPTION: { code: 13, retriable: true },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 14, retriable: true },
  COORDINATOR_NOT_AVAILABLE: { code: 15, retriable: true },
  NOT_COORDINATOR: { code: 16, retriable: true },
  INVALID_TOPIC_EXCEPTION: { code: 17, retriable: false },
  NOT_ENOUGH_REPLICAS: { code: 19, retriable: true },
  ILLEGAL_GENERATION: { code: 22, retriable: false },
  INCONSISTENT_GROUP_PROTOCOL: { code: 23, retriable: false },
  INVALID_GROUP_ID: { code: 24, retriable: false },
  UNKNOWN_MEMBER_ID: { code: 25, retriable: false },
  INVALID_SESSION_TIMEOUT: { code: 26, retriable: false },
  REBALANCE_IN_PROGRESS: { code: 27, retriable: false },
  INVALID_COMMIT_OFFSET_SIZE: { code: 28, retriable: false },
  TOPIC_AUTHORIZATION_FAILED: { code: 29, retriable: false },
  GROUP_AUTHORIZATION_FAILED: { code: 30, retriable: false },
  CLUSTER_AUTHORIZATION_FAILED: { code: 31, retriable: false },
  UNSUPPORTED_SASL_MECHANISM: { code: 33, retriable: false },
  ILLEGAL_SASL_STATE: { code: 34, retriable: false },
  UNSUPPORTED_VERSION: { code: 35, retriable: false },
  TOPIC_ALREADY_EXISTS: { code: 36, retriable: false },
  INVALID_REQUEST: { code: 42, retriable: false },
  NOT_CONTROLLER: { code: 41, retriable: true },
  SASL_AUTHENTICATION_FAILED: { code: 58, retriable: false },
  KAFKA_STORAGE_ERROR: { code: 56, retriable: true },
  FETCH_SESSION_ID_NOT_FOUND: { code: 70, retriable: true },
  INVALID_FETCH_SESSION_EPOCH: { code: 71, retriable: true },
  FENCED_LEADER_EPOCH: { code: 74, retriable: true },
  UNKNOWN_LEADER_EPOCH: { code: 75, retriable: true },
  OFFSET_NOT_AVAILABLE: { code: 78, retriable: true },
  MEMBER_ID_REQUIRED: { code: 79, retriable: false },
  GROUP_MAX_SIZE_REACHED: { code: 81, retriable: false },
  FENCED_INSTANCE_ID: { code: 82, retriable: false },
  UNSTABLE_OFFSET_COMMIT: { code: 88, retriable: true },
  UNKNOWN_TOPIC_ID: { code: 100, retriable: true },
  // The consumer group protocol (KIP-848).
  GROUP_ID_NOT_FOUND: { code: 69, retriable: false },
  FENCED_MEMBER_EPOCH: { code: 110, retriable: false },
  UNRELEASED_INSTANCE_ID: { code: 111, retriable: false },
  UNSUPPORTED_ASSIGNOR: { code: 112, retriable: false },
  /** A commit with an epoch the member has since moved past: retried with the current one (as Java's commit manager does). */
  STALE_MEMBER_EPOCH: { code: 113, retriable: true },
  INVALID_REGULAR_EXPRESSION: { code: 128, retriable: false },
  // Producing, idempotence and transactions (classified as the Java client's errors are).
  MESSAGE_TOO_LARGE: { code: 10, retriable: false },
  RECORD_LIST_TOO_LARGE: { code: 18, retriable: false },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { code: 20, retriable: true },
  INVALID_REQUIRED_ACKS: { code: 21, retriable: false },
  INVALID_TIMESTAMP: { code: 32, retriable: false },
  POLICY_VIOLATION: { code: 44, retriable: false },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { code: 45, retriable: false },
  DUPLICATE_SEQUENCE_NUMBER: { code: 46, retriable: false },
  INVALID_PRODUCER_EPOCH: { code: 47, retriable: false },
  INVALID_TXN_STATE: { code: 48, retriable: false },
  INVALID_PRODUCER_ID_MAPPING: { code: 49, retriable: false },
  INVALID_TRANSACTION_TIMEOUT: { code: 50, retriable: false },
  CONCURRENT_TRANSACTIONS: { code: 51, retriable: true },
  TRANSACTION_COORDINATOR_FENCED: { code: 52, retriable: false },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { code: 53, retriable: false },
  UNKNOWN_PRODUCER_ID: { code: 59, retriable: false },
  INVALID_RECORD: { code: 87, retriable: false },
  /** A partition of a request that failed elsewhere (AddPartitionsToTxn): not attempted. */
  OPERATION_NOT_ATTEMPTED: { code: 55, retriable: false },
  PRODUCER_FENCED: { code: 90, retriable: false },
  TRANSACTION_ABORTABLE: { code: 120, retriable: false },
} as const;

export type KafkaErrorCode = keyof typeof KAFKA_ERROR_CODES;

const byNumber = new Map<number, KafkaErrorCode>(
  (Object.keys(KAFKA_ERROR_CODES) as KafkaErrorCode[]).map((name) => [KAFKA_ERROR_CODES[name].code, name]),
);

/** The name of a numeric Kafka error code, or undefined when we do not know it. */
export const kafkaErrorCodeName = (code: number): KafkaErrorCode | undefined => byNumber.get(code);
