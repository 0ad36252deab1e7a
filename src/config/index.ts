/** Configuration: one shape, one defaults object, one validator that reports every issue at once. */
export * from './types';
export { CONFIG_DEFAULTS } from './defaults';
export type { ConfigDefaults } from './defaults';
export { validateConfig } from './validate';
export { ConfigValidationError, configError, validateConfigOrThrow } from './error';
export { PRODUCER_DEFAULTS, validateProducerOptions } from './producer';
export type { ProducerAcks, ProducerCompression, ProducerOptions, ProducerOptionsInput } from './producer';
