/**
 * Java's ConsumerProtocol bytes: the member metadata a consumer sends in JoinGroup (ConsumerProtocolSubscription)
 * and the assignment the leader sends back through SyncGroup (ConsumerProtocolAssignment). Layout, from Kafka's
 * clients/src/main/resources/common/message/ConsumerProtocol{Subscription,Assignment}.json (non-flexible, so no
 * tagged fields or compact types): a big-endian int16 version, then the fields of that version; strings are int16
 * length + UTF-8, bytes are int32 length + data (-1 = null), arrays are int32 count + items. Subscription v0:
 * Topics [string], UserData bytes; v1 adds OwnedPartitions [Topic string, Partitions [int32]]; v2 adds
 * GenerationId int32 (default -1); v3 adds RackId nullable string. Assignment v0..v3 all carry AssignedPartitions
 * [Topic, Partitions] then UserData. Like Java's ConsumerProtocol, decoding reads a version above 3 as v3 and
 * ignores trailing bytes, rejects a negative version, and returns every failure as a `Left`, never a throw.
 */
import { Either, left, right } from 'fp-ts/Either';
import { KafkaClientError } from '../errors';

/** One topic and some of its partitions, as the wire carries them. */
export interface TopicPartitionList {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface ConsumerProtocolSubscription {
  /** The version in the header (may be above 3; fields beyond v3 were skipped). */
  readonly version: number;
  readonly topics: readonly string[];
  readonly userData: Buffer | null;
  /** Empty before v1. */
  readonly ownedPartitions: readonly TopicPartitionList[];
  /** -1 before v2 or when the member sent none. */
  readonly generationId: number;
  /** Null before v3; an empty rack id is read as null, as Java does. */
  readonly rackId: string | null;
}

export interface SubscriptionInput {
  readonly topics: readonly string[];
  readonly userData?: Buffer | null;
  readonly ownedPartitions?: readonly TopicPartitionList[];
  readonly generationId?: number;
  readonly rackId?: string | null;
}

export interface ConsumerProtocolAssignment {
  readonly version: number;
  /** Topic -> ascending partitions (repeated topic entries on the wire are merged). */
  readonly assignedPartitions: Readonly<Record<string, readonly number[]>>;
  readonly userData: Buffer | null;
}

export interface AssignmentInput {
  readonly assignedPartitions: Readonly<Record<string, readonly number[]>>;
  readonly userData?: Buffer | null;
}

/**
 * The version we encode subscriptions at: 3, what a Java 4.x KafkaConsumer sends itself
 * (ConsumerProtocol.serializeSubscription uses ConsumerProtocolSubscription.HIGHEST_SUPPORTED_VERSION). Java
 * consumers of any version accept it (newer versions are read with the fields they know), it is the only version
 * that can carry GenerationId and RackId (which cooperative-sticky and KIP-881 rack-aware leaders use), and the 4.x
 * group coordinator reads these fields when it converts a classic group to a KIP-848 consumer group.
 */
export const SUBSCRIPTION_VERSION = 3;
/** Assignments are encoded at 3 too, like Java 4.x (every version has the same layout). */
export const ASSIGNMENT_VERSION = 3;
const HIGHEST_KNOWN_VERSION = 3;

const fail = (message: string, field: string): KafkaClientError =>
  new KafkaClientError({ tag: 'KafkaProtocolError', message, context: { field } });

/** Thrown inside a decode and turned into a `Left` at its boundary; never escapes this module. */
class DecodeFailure extends Error {
  constructor(readonly error: KafkaClientError) {
    super(error.message);
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer, private readonly what: string) {}

  private need(n: number, field: string): number {
    const at = this.offset;
    if (this.buf.length - at < n) {
      throw new DecodeFailure(
        fail(`${this.what} truncated: ${field} needs ${n} byte(s) at offset ${at}, only ${this.buf.length - at} left`, `${this.what}.${field}`),
      );
    }
    this.offset += n;
    return at;
  }
  int16(field: string): number {
    return this.buf.readInt16BE(this.need(2, field));
  }
  int32(field: string): number {
    return this.buf.readInt32BE(this.need(4, field));
  }
  nullableString(field: string): string | null {
    const len = this.int16(field);
    if (len < 0) return null;
    const at = this.need(len, field);
    return this.buf.toString('utf8', at, at + len);
  }
  string(field: string): string {
    const s = this.nullableString(field);
    if (s === null) throw new DecodeFailure(fail(`${this.what}: non-nullable ${field} was null`, `${this.what}.${field}`));
    return s;
  }
  nullableBytes(field: string): Buffer | null {
    const len = this.int32(field);
    if (len < 0) return null;
    const at = this.need(len, field);
    return Buffer.from(this.buf.subarray(at, at + len)); // a copy: the caller may keep it past the response buffer
  }
  /** `minItemSize` bounds the count by the bytes left, so a corrupt count cannot allocate gigabytes. */
  array<T>(field: string, minItemSize: number, item: (i: number) => T): T[] {
    const count = this.int32(field);
    if (count < 0) throw new DecodeFailure(fail(`${this.what}: non-nullable array ${field} was null (count ${count})`, `${this.what}.${field}`));
    if (count * minItemSize > this.buf.length - this.offset) {
      throw new DecodeFailure(
        fail(`${this.what} truncated: ${field} claims ${count} item(s), only ${this.buf.length - this.offset} byte(s) left`, `${this.what}.${field}`),
      );
    }
    return Array.from({ length: count }, (_, i) => item(i));
  }
}

const readTopicPartitions = (r: Reader, field: string): TopicPartitionList[] =>
  r.array(field, 6, (i) => ({
    topic: r.string(`${field}[${i}].Topic`),
    partitions: r.array(`${field}[${i}].Partitions`, 4, (j) => r.int32(`${field}[${i}].Partitions[${j}]`)),
  }));

const readVersion = (r: Reader, what: string): number => {
  const version = r.int16('Version');
  if (version < 0) throw new DecodeFailure(fail(`Unsupported ${what} version: ${version}`, `${what}.Version`));
  return version;
};

const decodeWith = <T>(bytes: Buffer, what: string, body: (r: Reader) => T): Either<KafkaClientError, T> => {
  try {
    return right(body(new Reader(bytes, what)));
  } catch (e) {
    if (e instanceof DecodeFailure) return left(e.error);
    return left(new KafkaClientError({ tag: 'KafkaProtocolError', message: `${what} could not be decoded`, cause: e }));
  }
};

export const decodeSubscription = (bytes: Buffer): Either<KafkaClientError, ConsumerProtocolSubscription> =>
  decodeWith(bytes, 'ConsumerProtocolSubscription', (r) => {
    const version = readVersion(r, 'ConsumerProtocolSubscription');
    const v = Math.min(version, HIGHEST_KNOWN_VERSION);
    const topics = r.array('Topics', 2, (i) => r.string(`Topics[${i}]`));
    const userData = r.nullableBytes('UserData');
    const ownedPartitions = v >= 1 ? readTopicPartitions(r, 'OwnedPartitions') : [];
    const generationId = v >= 2 ? r.int32('GenerationId') : -1;
    const rack = v >= 3 ? r.nullableString('RackId') : null;
    return { version, topics, userData, ownedPartitions, generationId, rackId: rack === '' ? null : rack };
  });

const mergeByTopic = (lists: readonly TopicPartitionList[]): Record<string, readonly number[]> => {
  const merged = new Map<string, Set<number>>();
  for (const { topic, partitions } of lists) {
    const set = merged.get(topic) ?? new Set<number>();
    partitions.forEach((p) => set.add(p));
    merged.set(topic, set);
  }
  return Object.fromEntries([...merged].map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]));
};

export const decodeAssignment = (bytes: Buffer): Either<KafkaClientError, ConsumerProtocolAssignment> =>
  decodeWith(bytes, 'ConsumerProtocolAssignment', (r) => {
    const version = readVersion(r, 'ConsumerProtocolAssignment');
    const assigned = readTopicPartitions(r, 'AssignedPartitions');
    const userData = r.nullableBytes('UserData');
    return { version, assignedPartitions: mergeByTopic(assigned), userData };
  });

class Writer {
  private readonly chunks: Buffer[] = [];
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.chunks.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.chunks.push(b);
    return this;
  }
  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    if (b.length > 0x7fff) throw fail(`string of ${b.length} bytes does not fit an int16 length`, 'string');
    this.int16(b.length).chunks.push(b);
    return this;
  }
  nullableBytes(b: Buffer | null | undefined): this {
    if (b === null || b === undefined) return this.int32(-1);
    this.int32(b.length).chunks.push(b);
    return this;
  }
  array<T>(items: readonly T[], item: (w: this, x: T) => void): this {
    this.int32(items.length);
    items.forEach((x) => item(this, x));
    return this;
  }
  topicPartitions(lists: readonly TopicPartitionList[]): this {
    return this.array(lists, (w, tp) => w.nullableString(tp.topic).array(tp.partitions, (w2, p) => w2.int32(p)));
  }
  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const checkVersion = (version: number, what: string): void => {
  if (!Number.isInteger(version) || version < 0 || version > HIGHEST_KNOWN_VERSION) {
    throw fail(`cannot encode ${what} at version ${version} (supported: 0..${HIGHEST_KNOWN_VERSION})`, `${what}.Version`);
  }
};

/**
 * Encodes a subscription like Java's ConsumerProtocol.serializeSubscription: topics sorted, owned partitions grouped
 * by topic and sorted by topic then partition, fields the version lacks dropped. Throws only on programmer errors
 * (a version outside 0..3, a string longer than 32767 bytes).
 */
export const encodeSubscription = (s: SubscriptionInput, version: number = SUBSCRIPTION_VERSION): Buffer => {
  checkVersion(version, 'ConsumerProtocolSubscription');
  const w = new Writer().int16(version).array([...s.topics].sort(byName), (x, t) => x.nullableString(t));
  w.nullableBytes(s.userData);
  if (version >= 1) {
    const owned = mergeByTopic(s.ownedPartitions ?? []);
    w.topicPartitions(Object.keys(owned).sort(byName).map((topic) => ({ topic, partitions: owned[topic] ?? [] })));
  }
  if (version >= 2) w.int32(s.generationId ?? -1);
  if (version >= 3) w.nullableString(s.rackId ?? null);
  return w.done();
};

/** Encodes an assignment (topics and partitions ascending; topics with no partitions are left out). */
export const encodeAssignment = (a: AssignmentInput, version: number = ASSIGNMENT_VERSION): Buffer => {
  checkVersion(version, 'ConsumerProtocolAssignment');
  const topics = Object.keys(a.assignedPartitions).sort(byName);
  const lists = topics
    .map((topic) => ({ topic, partitions: [...(a.assignedPartitions[topic] ?? [])].sort((x, y) => x - y) }))
    .filter((tp) => tp.partitions.length > 0);
  return new Writer().int16(version).topicPartitions(lists).nullableBytes(a.userData).done();
};
