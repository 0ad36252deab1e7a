/**
 * Java's AbstractStickyAssignor.PartitionMovements: the moves made so far in one general-case balance, by
 * partition and by topic and (source, destination) pair, so that moving a partition of a topic from B back to A
 * moves one that came from A to B instead (keeping the assignment sticky). Iteration follows Java's HashMaps.
 */
import { javaStringHash, JavaHashMap } from './java-hash-map';
import { hashOfTopicPartition, TopicPartition } from './topic-partition';

interface ConsumerPair {
  readonly src: string;
  readonly dst: string;
  readonly hash: number;
}

export class PartitionMovements {
  private readonly pairs = new Map<string, ConsumerPair>();
  private readonly byTopic = new JavaHashMap<string, JavaHashMap<ConsumerPair, JavaHashMap<TopicPartition, true>>>(javaStringHash);
  private readonly byPartition = new JavaHashMap<TopicPartition, ConsumerPair>(hashOfTopicPartition);

  /** Interned, with ConsumerPair.hashCode. */
  private pair(src: string, dst: string): ConsumerPair {
    const key = `${src}\u0000${dst}`;
    let p = this.pairs.get(key);
    if (!p) {
      p = { src, dst, hash: (Math.imul(31, (31 + javaStringHash(src)) | 0) + javaStringHash(dst)) | 0 };
      this.pairs.set(key, p);
    }
    return p;
  }

  private removeRecord(tp: TopicPartition): ConsumerPair {
    const pair = this.byPartition.get(tp) as ConsumerPair;
    this.byPartition.delete(tp);
    const forTopic = this.byTopic.get(tp.topic) as JavaHashMap<ConsumerPair, JavaHashMap<TopicPartition, true>>;
    const moved = forTopic.get(pair) as JavaHashMap<TopicPartition, true>;
    moved.delete(tp);
    if (moved.size === 0) forTopic.delete(pair);
    if (forTopic.size === 0) this.byTopic.delete(tp.topic);
    return pair;
  }

  private addRecord(tp: TopicPartition, pair: ConsumerPair): void {
    this.byPartition.set(tp, pair);
    let forTopic = this.byTopic.get(tp.topic);
    if (!forTopic) this.byTopic.set(tp.topic, (forTopic = new JavaHashMap((p: ConsumerPair) => p.hash)));
    let moved = forTopic.get(pair);
    if (!moved) forTopic.set(pair, (moved = new JavaHashMap<TopicPartition, true>(hashOfTopicPartition)));
    moved.set(tp, true);
  }

  movePartition(tp: TopicPartition, oldConsumer: string, newConsumer: string): void {
    if (this.byPartition.has(tp)) {
      const existing = this.removeRecord(tp);
      if (existing.src !== newConsumer) this.addRecord(tp, this.pair(existing.src, newConsumer));
    } else this.addRecord(tp, this.pair(oldConsumer, newConsumer));
  }

  /** The partition to move instead of `tp`: one of the same topic that earlier moved the opposite way, if any. */
  partitionToMove(tp: TopicPartition, oldConsumer: string, newConsumer: string): TopicPartition {
    const forTopic = this.byTopic.get(tp.topic);
    if (!forTopic) return tp;
    const src = this.byPartition.get(tp)?.src ?? oldConsumer;
    const reverse = forTopic.get(this.pair(newConsumer, src));
    return reverse ? (reverse.keys()[0] as TopicPartition) : tp;
  }
}
