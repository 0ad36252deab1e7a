/**
 * The ConsumerProtocol codec against Kafka's message schemas (ConsumerProtocolSubscription.json v0-v3,
 * ConsumerProtocolAssignment.json v0-v3): hand-written byte fixtures for v0 and v1 (and an exact v3 encoding),
 * round trips at every version, Java's reading of newer versions (ConsumerProtocolTest.deserializeFutureSubscription
 * Version: a v100 with an extra trailing field reads as v3), and truncated or corrupt input coming back as a `Left`.
 */
import fc from 'fast-check';
import { Either, isLeft, isRight } from 'fp-ts/Either';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../../src/protocol/consumer-protocol';
import { KafkaClientError } from '../../../src/errors';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
const str = (s: string): string => Buffer.from(s, 'utf8').length.toString(16).padStart(4, '0') + Buffer.from(s, 'utf8').toString('hex');

const rightOf = <T>(e: Either<KafkaClientError, T>): T => {
  if (isLeft(e)) throw new Error(`expected Right, got ${e.left.message}`);
  return e.right;
};
const leftOf = <T>(e: Either<KafkaClientError, T>): KafkaClientError => {
  if (isRight(e)) throw new Error('expected Left');
  return e.left;
};

describe('subscription fixtures', () => {
  // v0: Version int16 | Topics [string] | UserData nullable bytes
  const v0 = hex(`0000  00000002 ${str('foo')} ${str('bar')}  ffffffff`);

  it('decodes a v0 subscription', () => {
    expect(rightOf(decodeSubscription(v0))).toEqual({
      version: 0, topics: ['foo', 'bar'], userData: null, ownedPartitions: [], generationId: -1, rackId: null,
    });
  });

  it('encodes v0 with topics sorted, like Java', () => {
    expect(encodeSubscription({ topics: ['foo', 'bar'], ownedPartitions: [{ topic: 'x', partitions: [1] }] }, 0)).toEqual(
      hex(`0000 00000002 ${str('bar')} ${str('foo')} ffffffff`),
    );
  });

  // v1 adds OwnedPartitions [Topic string | Partitions [int32]]
  const v1 = hex(`0001  00000001 ${str('topic')}  00000003 010203  00000001 ${str('topic')} 00000002 00000000 00000002`);

  it('decodes a v1 subscription', () => {
    expect(rightOf(decodeSubscription(v1))).toEqual({
      version: 1,
      topics: ['topic'],
      userData: Buffer.from([1, 2, 3]),
      ownedPartitions: [{ topic: 'topic', partitions: [0, 2] }],
      generationId: -1,
      rackId: null,
    });
  });

  it('encodes the same v1 bytes', () => {
    expect(encodeSubscription({ topics: ['topic'], userData: Buffer.from([1, 2, 3]), ownedPartitions: [{ topic: 'topic', partitions: [2, 0] }] }, 1)).toEqual(v1);
  });

  it('encodes v3 by default: GenerationId int32 then RackId nullable string', () => {
    const bytes = encodeSubscription({ topics: ['t'], ownedPartitions: [{ topic: 't', partitions: [1] }], generationId: 7, rackId: 'r1' });
    expect(bytes).toEqual(hex(`0003 00000001 ${str('t')} ffffffff 00000001 ${str('t')} 00000001 00000001 00000007 ${str('r1')}`));
    expect(encodeSubscription({ topics: [] })).toEqual(hex('0003 00000000 ffffffff 00000000 ffffffff ffff'));
  });

  it('reads a version above 3 as v3 and ignores the fields it does not know (Java deserializeFutureSubscriptionVersion)', () => {
    const v100 = hex(`0064 00000001 ${str('topic')} 00000000 00000001 ${str('topic')} 00000001 00000001 0000000a ${str('rack')} ${str('foo:bar')}`);
    expect(rightOf(decodeSubscription(v100))).toEqual({
      version: 100,
      topics: ['topic'],
      userData: Buffer.alloc(0),
      ownedPartitions: [{ topic: 'topic', partitions: [1] }],
      generationId: 10,
      rackId: 'rack',
    });
  });

  it('reads an empty rack id as null, like Java', () => {
    expect(rightOf(decodeSubscription(hex('0003 00000000 ffffffff 00000000 ffffffff 0000'))).rackId).toBeNull();
  });
});

describe('assignment fixtures', () => {
  // v0..v3: Version int16 | AssignedPartitions [Topic string | Partitions [int32]] | UserData nullable bytes
  const v0 = hex(`0000  00000002 ${str('foo')} 00000002 00000001 00000000  ${str('bar')} 00000000  ffffffff`);

  it('decodes a v0 assignment (partitions sorted, empty topics kept as empty lists)', () => {
    expect(rightOf(decodeAssignment(v0))).toEqual({
      version: 0, assignedPartitions: { foo: [0, 1], bar: [] }, userData: null,
    });
  });

  it('decodes a v1 assignment and merges a topic repeated on the wire', () => {
    const v1 = hex(`0001 00000002 ${str('foo')} 00000001 00000003 ${str('foo')} 00000001 00000001 00000002 abcd`);
    expect(rightOf(decodeAssignment(v1))).toEqual({
      version: 1, assignedPartitions: { foo: [1, 3] }, userData: Buffer.from([0xab, 0xcd]),
    });
  });

  it('encodes topics and partitions ascending at v3 by default, leaving out empty topics', () => {
    const bytes = encodeAssignment({ assignedPartitions: { b: [2, 0], a: [1], c: [] } });
    expect(bytes).toEqual(hex(`0003 00000002 ${str('a')} 00000001 00000001 ${str('b')} 00000002 00000000 00000002 ffffffff`));
  });

  it('keeps a topic named __proto__ as an own key', () => {
    const decoded = rightOf(decodeAssignment(hex(`0000 00000001 ${str('__proto__')} 00000001 00000004 ffffffff`)));
    expect(Object.hasOwn(decoded.assignedPartitions, '__proto__')).toBe(true);
    expect(decoded.assignedPartitions['__proto__']).toEqual([4]);
  });
});

describe('bad input', () => {
  it('names what was truncated', () => {
    const err = leftOf(decodeSubscription(hex(`0001 00000001 ${str('topic')} ffffffff 00000001 ${str('topic')} 00000002 00000000`)));
    expect(err).toBeInstanceOf(KafkaClientError);
    expect(err._tag).toBe('KafkaProtocolError');
    expect(err.message).toMatch(/ConsumerProtocolSubscription truncated: OwnedPartitions\[0\]\.Partitions/);
    expect(err.context.field).toMatch(/^ConsumerProtocolSubscription\.OwnedPartitions/);
  });

  it('rejects an empty buffer, a negative version, a null topic array and an absurd count', () => {
    expect(leftOf(decodeAssignment(Buffer.alloc(0))).message).toMatch(/ConsumerProtocolAssignment truncated: Version/);
    expect(leftOf(decodeSubscription(hex('ffff 00000000 ffffffff'))).message).toMatch(/Unsupported ConsumerProtocolSubscription version: -1/);
    expect(leftOf(decodeSubscription(hex('0000 ffffffff ffffffff'))).message).toMatch(/non-nullable array Topics/);
    expect(leftOf(decodeAssignment(hex('0000 7fffffff'))).message).toMatch(/claims 2147483647 item/);
    expect(leftOf(decodeSubscription(hex('0000 00000001 ffff ffffffff'))).message).toMatch(/non-nullable Topics\[0\] was null/);
  });

  it('refuses to encode at an unknown version', () => {
    expect(() => encodeSubscription({ topics: [] }, 4)).toThrow(KafkaClientError);
    expect(() => encodeAssignment({ assignedPartitions: {} }, -1)).toThrow(KafkaClientError);
  });
});

const topicArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const bytesArb = fc.option(fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)), { nil: null });
const partitionsArb = fc.uniqueArray(fc.integer({ min: 0, max: 0x7fffffff }), { minLength: 1, maxLength: 6 }).map((ps) => [...ps].sort((a, b) => a - b));
const subscriptionArb = fc.record({
  topics: fc.array(topicArb, { maxLength: 5 }),
  userData: bytesArb,
  ownedPartitions: fc.uniqueArray(fc.record({ topic: topicArb, partitions: partitionsArb }), { selector: (tp) => tp.topic, maxLength: 4 }),
  generationId: int32,
  rackId: fc.option(topicArb, { nil: null }),
});
const assignmentArb = fc.record({
  assignedPartitions: fc.uniqueArray(fc.tuple(topicArb, partitionsArb), { selector: ([t]) => t, maxLength: 5 }).map((es) => Object.fromEntries(es)),
  userData: bytesArb,
});
const versionArb = fc.integer({ min: 0, max: 3 });
const byTopic = (a: { topic: string }, b: { topic: string }): number => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);

describe('round trips and robustness', () => {
  it('decode(encode(subscription, v)) keeps every field version v carries', () => {
    fc.assert(
      fc.property(subscriptionArb, versionArb, (s, v) => {
        expect(rightOf(decodeSubscription(encodeSubscription(s, v)))).toEqual({
          version: v,
          topics: [...s.topics].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
          userData: s.userData,
          ownedPartitions: v >= 1 ? [...s.ownedPartitions].sort(byTopic) : [],
          generationId: v >= 2 ? s.generationId : -1,
          rackId: v >= 3 ? s.rackId : null,
        });
      }),
    );
  });

  it('decode(encode(assignment, v)) is the identity at every version', () => {
    fc.assert(
      fc.property(assignmentArb, versionArb, (a, v) => {
        expect(rightOf(decodeAssignment(encodeAssignment(a, v)))).toEqual({ version: v, ...a });
      }),
    );
  });

  it('every strict prefix of a valid encoding is a Left, never a throw', () => {
    fc.assert(
      fc.property(subscriptionArb, assignmentArb, versionArb, fc.nat(), (s, a, v, cut) => {
        const sub = encodeSubscription(s, v);
        const asg = encodeAssignment(a, v);
        expect(isLeft(decodeSubscription(sub.subarray(0, cut % sub.length)))).toBe(true);
        expect(isLeft(decodeAssignment(asg.subarray(0, cut % asg.length)))).toBe(true);
      }),
    );
  });

  it('arbitrary bytes decode to an Either, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const b = Buffer.from(raw);
        expect(() => decodeSubscription(b)).not.toThrow();
        expect(() => decodeAssignment(b)).not.toThrow();
      }),
    );
  });
});
