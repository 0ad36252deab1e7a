export * from './error-codes';
export * from './kafka-client-error';
