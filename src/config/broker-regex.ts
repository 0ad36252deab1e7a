/**
 * What a whitelist becomes under the consumer group protocol: the broker matches it (RE2/J, Google's RE2 syntax,
 * against the whole topic name). Pure.
 *
 * RE2 has no lookaround, no backreferences and no JavaScript flags; a pattern using them is refused at config time
 * rather than matched differently by the broker. The JavaScript meaning (`test`: a match anywhere in the name) is
 * kept by sending `.*(?:source).*`.
 */

/** Constructs RE2 refuses, with the reason given to the user. */
const UNSUPPORTED: readonly (readonly [RegExp, string])[] = [
  [/\(\?<?[=!]/, 'lookahead and lookbehind'],
  [/\\[1-9]/, 'backreferences'],
  [/\\k</, 'named backreferences'],
  [/\(\?<(?![=!])/, "named groups '(?<name>...)' (write '(?P<name>...)' or a plain group)"],
  [/\\u\{|\\c[A-Za-z]/, "JavaScript-only escapes ('\\u{...}', '\\cX')"],
];

/** Why the broker cannot take `re` (undefined when it can). */
export const brokerRegexProblem = (re: RegExp): string | undefined => {
  if (re.flags.replace(/[gy]/g, '') !== '') return `flags '${re.flags}' are not sent to the broker (RE2 takes none here)`;
  // Escaped backslashes must not make the next character look special.
  const source = re.source.replace(/\\\\/g, '');
  const found = UNSUPPORTED.find(([test]) => test.test(source));
  return found ? `${found[1]} are not RE2 syntax, which the broker matches subscriptions with` : undefined;
};

/** The regex the broker matches whole topic names with, meaning what `re.test(name)` means here. */
export const brokerRegex = (re: RegExp): string => `.*(?:${re.source}).*`;
