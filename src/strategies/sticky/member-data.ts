/**
 * What a sticky member reports about its previous assignment, read the way Java's assignors read it, and the
 * subscription user data they write.
 *
 * - `sticky` (StickyAssignor, eager): the user data carries the previous assignment and the generation
 *   (STICKY_ASSIGNOR_USER_DATA_V1: `[topic: string, partitions: [int32]]`, `generation: int32`; V0 lacks the
 *   generation). Unreadable user data counts as "no partitions, generation -1"; absent user data as "no partitions,
 *   no generation".
 * - `cooperative-sticky`: the owned partitions and generation come from the subscription itself (v2+); a v0/v1
 *   subscription carries the generation as a 4-byte user data (unreadable: generation -1).
 */
import { javaStringHash, JavaHashMap } from './java-hash-map';
import type { MemberSubscription } from '../strategy';

/** One partition, in a member's report order. */
export interface ReportedPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface StickyMemberData {
  readonly partitions: readonly ReportedPartition[];
  /** `undefined` when the member reported none (Java's Optional.empty()). */
  readonly generation: number | undefined;
}

/** Java's DEFAULT_GENERATION. */
export const DEFAULT_GENERATION = -1;

/** Throws on any short or malformed field, as Java's Schema.read does. */
class StrictReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  private take(n: number): number {
    if (n < 0 || this.buf.length - this.at < n) throw new RangeError('user data truncated');
    const at = this.at;
    this.at += n;
    return at;
  }
  int16 = (): number => this.buf.readInt16BE(this.take(2));
  int32 = (): number => this.buf.readInt32BE(this.take(4));
  string = (): string => {
    const len = this.int16();
    const at = this.take(len);
    return this.buf.toString('utf8', at, at + len);
  };
  array = <T>(item: () => T): T[] => {
    const n = this.int32();
    if (n < 0 || n > this.buf.length - this.at) throw new RangeError('bad array size');
    return Array.from({ length: n }, item);
  };
}

const readStickyAssignment = (buf: Buffer, withGeneration: boolean): StickyMemberData => {
  const r = new StrictReader(buf);
  const topics = r.array(() => ({ topic: r.string(), partitions: r.array(r.int32) }));
  const generation = withGeneration ? r.int32() : undefined;
  return { partitions: topics.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition }))), generation };
};

/** StickyAssignor.memberData. */
export const stickyMemberData = (s: MemberSubscription): StickyMemberData => {
  const userData = s.userData;
  if (!userData || userData.length === 0) return { partitions: [], generation: undefined };
  try {
    return readStickyAssignment(userData, true);
  } catch {
    try {
      return readStickyAssignment(userData, false);
    } catch {
      return { partitions: [], generation: DEFAULT_GENERATION };
    }
  }
};

/** The subscription's generation field (v2+), or `undefined` when absent (negative or a v0/v1 subscription). */
export const subscriptionGeneration = (s: MemberSubscription): number | undefined =>
  s.generationId !== undefined && s.generationId >= 0 ? s.generationId : undefined;

/** The subscription's owned partitions, flattened in wire order. */
export const ownedPartitionsOf = (s: MemberSubscription): ReportedPartition[] =>
  (s.ownedPartitions ?? []).flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));

/** CooperativeStickyAssignor.memberData. */
export const cooperativeMemberData = (s: MemberSubscription): StickyMemberData => {
  const partitions = ownedPartitionsOf(s);
  const fromSubscription = subscriptionGeneration(s);
  if (fromSubscription !== undefined) return { partitions, generation: fromSubscription };
  if (s.userData === null || s.userData === undefined) return { partitions, generation: undefined };
  return { partitions, generation: s.userData.length >= 4 ? s.userData.readInt32BE(0) : DEFAULT_GENERATION };
};

/** StickyAssignor.subscriptionUserData: topics grouped as Java's HashMap.computeIfAbsent orders them, partitions in assignment order. */
export const encodeStickyUserData = (assigned: readonly ReportedPartition[], generation: number): Buffer => {
  const byTopic = new JavaHashMap<string, number[]>(javaStringHash);
  for (const { topic, partition } of assigned) byTopic.computeIfAbsent(topic, () => []).push(partition);
  const chunks: Buffer[] = [int32(byTopic.size)];
  for (const [topic, partitions] of byTopic.entries()) {
    const name = Buffer.from(topic, 'utf8');
    chunks.push(int16(name.length), name, int32(partitions.length), ...partitions.map(int32));
  }
  chunks.push(int32(generation));
  return Buffer.concat(chunks);
};

/** CooperativeStickyAssignor.subscriptionUserData: the generation as an int32. */
export const encodeCooperativeUserData = (generation: number): Buffer => int32(generation);

const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
