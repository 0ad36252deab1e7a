import { needsTopicList, resolveTopics } from '../../../src/protocol/subscription';

describe('topic subscriptions', () => {
  const cluster = ['orders', 'orders-eu', 'orders-test', 'refunds', '__consumer_offsets'];

  it.each<[string, Parameters<typeof resolveTopics>[0], string[]]>([
    ['a fixed list is taken as is', { topics: ['b', 'a'] }, ['a', 'b']],
    ['a whitelist adds the existing matches', { topics: [], whitelist: /^orders/ }, ['orders', 'orders-eu', 'orders-test']],
    ['the blacklist wins over the whitelist', { topics: [], whitelist: /^orders/, blacklist: /-test$/ }, ['orders', 'orders-eu']],
    ['the blacklist wins over the fixed list too', { topics: ['orders-test', 'refunds'], blacklist: /-test$/ }, ['refunds']],
    ['fixed and whitelist combine without duplicates', { topics: ['refunds', 'orders'], whitelist: /^orders$/ }, ['orders', 'refunds']],
    ['internal topics never match a pattern', { topics: [], whitelist: /.*/ }, ['orders', 'orders-eu', 'orders-test', 'refunds']],
  ])('%s', (_name, subscription, expected) => {
    expect(resolveTopics(subscription, cluster)).toEqual(expected);
  });

  it('a global regex gives the same answer every time', () => {
    const s = { topics: [], whitelist: /orders/g };
    expect(resolveTopics(s, cluster)).toEqual(resolveTopics(s, cluster));
  });

  it('only a whitelist needs the cluster topic list', () => {
    expect(needsTopicList({ topics: ['a'] })).toBe(false);
    expect(needsTopicList({ topics: [], blacklist: /x/ })).toBe(false);
    expect(needsTopicList({ topics: [], whitelist: /x/ })).toBe(true);
  });
});
