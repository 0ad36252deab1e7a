/**
 * Small composable validators. A `Validator<A>` reads the value found at a path (`undefined` when the field was
 * left out) and returns every issue it finds, or the value as the config holds it. Nothing here mutates its
 * input; what it builds is frozen.
 */
import * as E from 'fp-ts/Either';
import * as RA from 'fp-ts/ReadonlyArray';
import { pipe } from 'fp-ts/function';
import type { ConfigIssue } from './types';

export type Result<A> = E.Either<readonly ConfigIssue[], A>;
export type Validator<A> = (value: unknown, path: string) => Result<A>;

/** Accumulates the issues of independent results (fp-ts's validation applicative). */
export const V = E.getApplicativeValidation(RA.getSemigroup<ConfigIssue>());

export const INT32_MAX = 2_147_483_647;

export const issue = (path: string, message: string): ConfigIssue => ({ path, message });
export const fail = (path: string, message: string): Result<never> => E.left([issue(path, message)]);
export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

export type PlainObject = Readonly<Record<string, unknown>>;
export const isPlainObject = (v: unknown): v is PlainObject => {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** A short rendering of a value for messages. Callers never pass secrets. */
export const show = (v: unknown): string => {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof RegExp) return 'a RegExp';
  if (Buffer.isBuffer(v)) return 'a Buffer';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
};

export const required =
  <A>(v: Validator<A>): Validator<A> =>
  (value, path) =>
    value === undefined ? fail(path, `${path} is required`) : v(value, path);

export const optional =
  <A>(v: Validator<A>): Validator<A | undefined> =>
  (value, path) =>
    value === undefined ? E.right(undefined) : v(value, path);

export const withDefault =
  <A>(fallback: A, v: Validator<A>): Validator<A> =>
  (value, path) =>
    value === undefined ? E.right(fallback) : v(value, path);

export const map =
  <A, B>(v: Validator<A>, f: (a: A) => B): Validator<B> =>
  (value, path) =>
    pipe(v(value, path), E.map(f));

/** Adds a check that runs once `v` accepted the value. */
export const refine =
  <A>(v: Validator<A>, check: (a: A, path: string) => readonly ConfigIssue[]): Validator<A> =>
  (value, path) =>
    pipe(
      v(value, path),
      E.chain((a) => {
        const issues = check(a, path);
        return issues.length ? E.left(issues) : E.right(a);
      }),
    );

/** A finite integer in [min, max]. */
export const integer =
  (min: number, max = INT32_MAX): Validator<number> =>
  (value, path) =>
    typeof value !== 'number' || !Number.isInteger(value)
      ? fail(path, `${path} must be an integer (got ${show(value)})`)
      : value < min
        ? fail(path, `${path} must be at least ${min} (got ${value})`)
        : value > max
          ? fail(path, `${path} must be at most ${max} (got ${value})`)
          : E.right(value);

export const boolean: Validator<boolean> = (value, path) =>
  typeof value === 'boolean' ? E.right(value) : fail(path, `${path} must be a boolean (got ${show(value)})`);

/** One of the listed strings. `echo: false` keeps the given value out of the message. */
export const oneOf =
  <L extends string>(values: readonly L[], echo = true): Validator<L> =>
  (value, path) =>
    values.some((l) => l === value)
      ? E.right(value as L)
      : fail(path, `${path} must be one of ${values.map((l) => `'${l}'`).join(', ')}${echo ? ` (got ${show(value)})` : ''}`);

/** A string of minLength..maxLength characters. */
export const text =
  (maxLength = Infinity, minLength = 1): Validator<string> =>
  (value, path) =>
    typeof value !== 'string'
      ? fail(path, `${path} must be a string (got ${show(value)})`)
      : value.length < minLength
        ? fail(path, `${path} must not be empty`)
        : value.length > maxLength
          ? fail(path, `${path} must be at most ${maxLength} characters (got ${value.length})`)
          : E.right(value);

/** An array whose items each pass `item` (paths `path[i]`); frozen. */
export const listOf =
  <A>(item: Validator<A>, nonEmpty = false): Validator<readonly A[]> =>
  (value, path) =>
    !Array.isArray(value)
      ? fail(path, `${path} must be an array (got ${show(value)})`)
      : nonEmpty && value.length === 0
        ? fail(path, `${path} must not be empty`)
        : pipe(
            value as readonly unknown[],
            RA.traverseWithIndex(V)((i, x) => item(x, `${path}[${i}]`)),
            E.map((xs) => Object.freeze([...xs])),
          );

/** A check across fields of one object; it runs when every field it `reads` is valid. */
export interface Rule<A> {
  readonly reads: readonly (keyof A)[];
  readonly check: (a: A, path: string) => readonly ConfigIssue[];
}
export const rule = <A, K extends keyof A>(
  reads: readonly K[],
  check: (a: Pick<A, K>, path: string) => readonly ConfigIssue[],
): Rule<A> => ({ reads, check });

export type Shape<A> = { readonly [K in keyof A]-?: Validator<A[K]> };

const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
};

const unknownField = (path: string, key: string, known: readonly string[]): ConfigIssue => {
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || distance(k, key) <= Math.max(1, key.length >> 2));
  return issue(join(path, key), `unknown field ${join(path, key)}${near ? ` (did you mean ${join(path, near)}?)` : ''}`);
};

/**
 * An object (left out = `{}`) whose fields pass `shape`; unknown fields are issues; `rules` check across fields.
 * The result holds only the fields with a value, and is frozen.
 */
export const struct =
  <A>(shape: Shape<A>, rules: readonly Rule<A>[] = []): Validator<A> =>
  (value, path) => {
    const input = value === undefined ? {} : value;
    if (!isPlainObject(input)) return fail(path, `${path || 'config'} must be an object (got ${show(value)})`);
    const known = Object.keys(shape);
    const issues = Object.keys(input)
      .filter((k) => !known.includes(k))
      .map((k) => unknownField(path, k, known));
    const out: Record<string, unknown> = {};
    const valid = new Set<PropertyKey>();
    for (const key of known) {
      const r = (shape as Readonly<Record<string, Validator<unknown>>>)[key]?.(input[key], join(path, key));
      if (r === undefined) continue;
      if (E.isLeft(r)) issues.push(...r.left);
      else {
        valid.add(key);
        if (r.right !== undefined) out[key] = r.right;
      }
    }
    for (const { reads, check } of rules) if (reads.every((k) => valid.has(k))) issues.push(...check(out as A, path));
    return issues.length ? E.left(issues) : E.right(Object.freeze(out) as A);
  };
