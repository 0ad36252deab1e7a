import { brokerRegex, brokerRegexProblem } from '../../../src/config/broker-regex';
import { base, left, right, validate } from './helpers';

const consumer = { ...base, groupProtocol: 'consumer' } as const;
const paths = (input: unknown) => left(validate(input)).map((i) => i.path);

describe('groupProtocol and groupRemoteAssignor', () => {
  it("defaults to 'classic' with no remote assignor", () => {
    const c = right(validate(base));
    expect(c.groupProtocol).toBe('classic');
    expect(c.groupRemoteAssignor).toBeUndefined();
  });

  it("takes 'consumer' with 'uniform' or 'range'", () => {
    expect(right(validate({ ...consumer, groupRemoteAssignor: 'range' })).groupRemoteAssignor).toBe('range');
    expect(right(validate({ ...consumer, groupRemoteAssignor: 'uniform' })).groupRemoteAssignor).toBe('uniform');
  });

  it('refuses an unknown protocol or assignor, naming the field', () => {
    expect(paths({ ...base, groupProtocol: 'kip848' })).toEqual(['groupProtocol']);
    expect(paths({ ...consumer, groupRemoteAssignor: 'sticky' })).toEqual(['groupRemoteAssignor']);
  });

  it('refuses a remote assignor under classic', () => {
    expect(left(validate({ ...base, groupRemoteAssignor: 'uniform' }))[0]?.message).toMatch(/applies to groupProtocol 'consumer' only/);
  });

  it.each([
    ['group.session.timeout', { session: { timeout: 10000 } }],
    ['group.heartbeat.interval', { heartbeat: { interval: 1000 } }],
    ['group.partitionStrategy', { partitionStrategy: ['range'] }],
    ['group.userData', { userData: Buffer.from('x') }],
  ])('refuses %s set explicitly under consumer, as the Java client does', (path, group) => {
    const issues = left(validate({ ...consumer, group }));
    expect(issues.map((i) => i.path)).toEqual([path]);
    expect(issues[0]?.message).toMatch(/not supported under groupProtocol 'consumer'/);
  });

  it('reports those beside the other issues', () => {
    expect(paths({ ...consumer, groupId: '', group: { heartbeat: { interval: 1000 } } }).sort()).toEqual(['group.heartbeat.interval', 'groupId']);
  });

  it('refuses a blacklist, and topics beside a whitelist, under consumer', () => {
    expect(paths({ ...consumer, blacklist: /x/ })).toEqual(['blacklist']);
    expect(paths({ ...consumer, whitelist: /orders-.*/ })).toEqual(['topics']);
    expect(right(validate({ ...consumer, topics: [], whitelist: /orders-.*/ })).whitelist?.source).toBe('orders-.*');
  });

  it('refuses a whitelist the broker cannot match (RE2 syntax)', () => {
    const issues = left(validate({ ...consumer, topics: [], whitelist: /^orders-(?!test)/ }));
    expect(issues.map((i) => i.path)).toEqual(['whitelist']);
    expect(issues[0]?.message).toMatch(/lookahead and lookbehind are not RE2 syntax/);
  });
});

describe('the broker regex of a whitelist', () => {
  it.each<[RegExp, RegExp]>([
    [/(a)\1/, /backreferences/],
    [/(?<=x)y/, /lookahead and lookbehind/],
    [/(?<name>x)/, /named groups/],
    [/orders/i, /flags 'i'/],
    [/\u{1F600}/u, /flags 'u'/],
  ])('%s is refused', (re, why) => {
    expect(brokerRegexProblem(re)).toMatch(why);
  });

  it.each([/^orders-\d+$/, /a|b/, /(?:x)+/, /\\1/, /[a-z]{2,3}/, /\w+\.events/])('%s is accepted', (re) => {
    expect(brokerRegexProblem(re)).toBeUndefined();
  });

  it('keeps the meaning of RegExp.test (a match anywhere) for a whole-name matcher', () => {
    const sent = new RegExp(`^(?:${brokerRegex(/orders-\d/)})$`);
    expect(['orders-1', 'eu.orders-2.v1'].every((t) => sent.test(t))).toBe(true);
    expect(sent.test('payments')).toBe(false);
    expect(new RegExp(`^(?:${brokerRegex(/^orders$/)})$`).test('orders')).toBe(true);
    expect(new RegExp(`^(?:${brokerRegex(/^orders$/)})$`).test('orders-1')).toBe(false);
  });
});
