import * as E from 'fp-ts/Either';
import { ErrorContext, KafkaClientError } from '../errors';
import type { ConfigIssue, ConsumerGroupConfig, ConsumerGroupConfigInput } from './types';
import { validateConfig } from './validate';

const describeIssues = (issues: readonly ConfigIssue[]): string =>
  `Invalid configuration (${issues.length} issue${issues.length === 1 ? '' : 's'}): ${issues.map((i) => i.message).join('; ')}`;

/** A `ConfigError` that keeps every issue; `context.field` is the first issue's path. */
export class ConfigValidationError extends KafkaClientError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], context: ErrorContext = {}) {
    super({ tag: 'ConfigError', message: describeIssues(issues), context: { field: issues[0]?.path, ...context } });
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }

  override withContext(extra: ErrorContext): ConfigValidationError {
    return new ConfigValidationError(this.issues, { ...extra, ...this.context });
  }
}

/** The issues of `validateConfig` as one error, listing them all. */
export const configError = (issues: readonly ConfigIssue[]): ConfigValidationError => new ConfigValidationError(issues);

/** `validateConfig`, throwing a {@link ConfigValidationError} on Left. */
export const validateConfigOrThrow = (input: ConsumerGroupConfigInput): ConsumerGroupConfig =>
  E.getOrElse<readonly ConfigIssue[], ConsumerGroupConfig>((issues) => {
    throw configError(issues);
  })(validateConfig(input));
