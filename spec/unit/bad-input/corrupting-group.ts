import { map, throwError } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { consumerGroup, type ConsumerGroup, type ConsumerGroupConfigInput } from '../../../src';
import type { InMemoryCluster } from '../../../src/testing';
import { overriding, type Transport } from '../../../src/transport';

/** Byte offsets in a v2 record batch header. */
export const BATCH = { crc: 17, attributes: 21, header: 61 } as const;

/** Rewrites the record bytes a Fetch returns for one partition, as a broker or disk that corrupts them would. */
export type Corruption = (records: Buffer) => Buffer;

/** The CRC field flipped: the batch is readable, but verification (consumer.checkCrcs) fails. */
export const badCrc: Corruption = (records) => {
  const b = Buffer.from(records);
  b[BATCH.crc] = (b[BATCH.crc] ?? 0) ^ 0xff;
  return b;
};

/** Compression id 6 in the attributes: no such codec exists. */
export const unknownCodec: Corruption = (records) => {
  const b = Buffer.from(records);
  b.writeInt16BE((b.readInt16BE(BATCH.attributes) & ~0x07) | 0x06, BATCH.attributes);
  return b;
};

/** A batch length that overruns the record bytes by one byte: the only batch is cut short. */
export const truncated: Corruption = (records) => records.subarray(0, records.length - 1);

/** A batch whose records section is cut, but whose length field agrees with the cut size (a malformed batch). */
export const truncatedRecords: Corruption = (records) => {
  const b = Buffer.from(records.subarray(0, records.length - 3));
  b.writeInt32BE(b.length - 12, 8);
  return b;
};

/** Fetches after which the wrapper fails every Fetch (a consumer that spins hits this). */
export const SPIN_GUARD = 500;

export interface CorruptingGroup {
  readonly group: ConsumerGroup;
  /** Fetches that included the corrupted partition, by virtual time. */
  readonly fetchesOfCorrupted: number[];
}

/**
 * A consumer group on the in-memory cluster whose Fetch responses for `target` (topic/partition) pass through
 * `corrupt`. Build it inside `TestScheduler.run`.
 */
export const corruptingGroup = (
  cluster: InMemoryCluster,
  scheduler: TestScheduler,
  target: { topic: string; partition: number },
  corrupt: Corruption,
  config: Partial<ConsumerGroupConfigInput> & { groupId: string; topics: readonly string[] },
): CorruptingGroup => {
  const fetchesOfCorrupted: number[] = [];
  let fetches = 0;
  const wrap = (t: Transport): Transport =>
    overriding(t, {
      fetch: (r) => {
        // A guard, not an expectation: a consumer that spins on a bad batch would otherwise fetch forever in virtual time.
        if (++fetches > SPIN_GUARD) return throwError(() => new Error(`more than ${SPIN_GUARD} fetches: spinning`));
        if (r.partitions.some((p) => p.topic === target.topic && p.partition === target.partition)) fetchesOfCorrupted.push(scheduler.now());
        return t.fetch(r).pipe(
          map((ps) => ps.map((p) => (p.topic === target.topic && p.partition === target.partition && p.records.length > 0 ? { ...p, records: corrupt(p.records) } : p))),
        );
      },
    });
  const group = consumerGroup(
    {
      brokers: ['in-memory:9092'],
      group: { session: { timeout: 10000 }, heartbeat: { interval: 1000 }, rebalance: { timeout: 30000, drainTimeout: 5000 } },
      ...config,
      consumer: { ...config.consumer, offsets: { initial: 'oldest', commitInterval: 1000, ...config.consumer?.offsets }, fetch: { maxWait: 100, ...config.consumer?.fetch } },
    },
    { createTransport: () => wrap(cluster.transport({ clientId: config.groupId })) },
  );
  return { group, fetchesOfCorrupted };
};
