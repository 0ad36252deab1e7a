import * as E from 'fp-ts/Either';
import { ConfigIssue, ConsumerGroupConfig, ConsumerGroupConfigInput, validateConfig } from '../../../src/config';

/** Validates anything, as a JavaScript caller could pass it. */
export const validate = (input: unknown): E.Either<readonly ConfigIssue[], ConsumerGroupConfig> =>
  validateConfig(input as ConsumerGroupConfigInput);

export const base = { brokers: ['localhost:9092'], groupId: 'billing', topics: ['orders'] } as const;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** A copy of `obj` with `value` at the dotted `path` (objects on the way created as needed). */
export const setPath = (obj: object, path: string, value: unknown): Record<string, unknown> => {
  const [head = '', ...rest] = path.split('.');
  const o = { ...(obj as Record<string, unknown>) };
  o[head] = rest.length ? setPath(isPlain(o[head]) ? o[head] : {}, rest.join('.'), value) : value;
  return o;
};

/** `base` with `value` at `path`. */
export const withField = (path: string, value: unknown): Record<string, unknown> => setPath(base, path, value);

export const right = (r: E.Either<readonly ConfigIssue[], ConsumerGroupConfig>): ConsumerGroupConfig => {
  if (E.isLeft(r)) throw new Error(`expected Right, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const left = (r: E.Either<readonly ConfigIssue[], ConsumerGroupConfig>): readonly ConfigIssue[] => {
  if (E.isRight(r)) throw new Error('expected Left, got Right');
  return r.left;
};

/** Freezes plain objects, arrays and regexes all the way down (Buffers cannot be frozen). */
export const deepFreeze = <T>(v: T): T => {
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) {
    Object.values(v).forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
};

/** True when every object and array reachable through plain objects and arrays is frozen. */
export const isDeepFrozen = (v: unknown): boolean =>
  !(isPlain(v) || Array.isArray(v)) || (Object.isFrozen(v) && Object.values(v).every(isDeepFrozen));

/** Right-biased deep merge of plain objects; anything else in `over` replaces. */
export const merge = (under: unknown, over: unknown): unknown =>
  isPlain(under) && isPlain(over)
    ? Object.fromEntries([...new Set([...Object.keys(under), ...Object.keys(over)])].map((k) => [k, merge(under[k], over[k])]))
    : over === undefined
      ? under
      : over;
