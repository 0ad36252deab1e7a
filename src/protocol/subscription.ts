/**
 * What a member subscribes to: a fixed topic list, and optionally a whitelist pattern (new matching topics join
 * when discovered), with a blacklist that always wins. Internal topics (`__consumer_offsets`, ...) never match a
 * pattern. Pure.
 */
export interface TopicSubscription {
  readonly topics: readonly string[];
  readonly whitelist?: RegExp;
  readonly blacklist?: RegExp;
}

const test = (re: RegExp, topic: string): boolean => {
  re.lastIndex = 0;
  return re.test(topic);
};

/** True when the subscription needs the cluster's topic list (a whitelist). */
export const needsTopicList = (s: TopicSubscription): boolean => s.whitelist !== undefined;

/** The subscribed topics, sorted: fixed ones plus existing topics matching the whitelist, minus the blacklist. */
export const resolveTopics = (s: TopicSubscription, clusterTopics: readonly string[]): string[] => {
  const matched = s.whitelist ? clusterTopics.filter((t) => !t.startsWith('__') && test(s.whitelist as RegExp, t)) : [];
  return [...new Set([...s.topics, ...matched])].filter((t) => !(s.blacklist && test(s.blacklist, t))).sort();
};
