import { tap, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { values, virtualTime } from '../../support/in-memory-group';
import { badCrc, corruptingGroup, truncatedRecords, unknownCodec, type Corruption } from './corrupting-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;
const brief = (e: KafkaClientError) => ({ tag: e._tag, topic: e.context.topic, partition: e.context.partition, offset: e.context.offset });

/**
 * Corrupt record bytes on one partition (t/0) of two, as a Fetch returns them. The corruption is persistent (every
 * Fetch of t/0 returns it), as a damaged log segment would be.
 */
const cases: [string, Corruption, boolean, string][] = [
  ['a record batch with a bad CRC (consumer.checkCrcs on)', badCrc, true, 'CorruptRecordBatch'],
  ['a record batch with an unknown compression codec', unknownCodec, false, 'CorruptRecordBatch'],
  ['a record batch whose records overrun it (truncated records section)', truncatedRecords, false, 'CorruptRecordBatch'],
];

describe('corrupt data fails only its partition (in-memory broker, virtual time)', () => {
  describe.each(cases)('%s', (_name, corrupt, checkCrcs, tag) => {
    it('partition mode: that partition fails with a typed error naming topic, partition and offset; it is not fetched again; the other partition keeps flowing', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 2 } });
        cluster.produce('t', 0, values(3));
        cluster.produce('t', 1, values(3));
        const { group, fetchesOfCorrupted } = corruptingGroup(cluster, ts, { topic: 't', partition: 0 }, corrupt, { groupId: 'g', topics: ['t'], consumer: { checkCrcs } });
        const got: string[] = [];
        const failed: KafkaClientError[] = [];
        const reported: KafkaClientError[] = [];
        group.errors$.subscribe((e) => reported.push(e));
        group.partitions$.subscribe((p) =>
          p.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe({ error: (e: KafkaClientError) => failed.push(e) }),
        );
        timer(3000).subscribe(() => cluster.produce('t', 1, values(2, 'late')));
        timer(6000).subscribe(() => group.close().subscribe());
        ts.flush();
        expect(failed.map(brief)).toEqual([{ tag, topic: 't', partition: 0, offset: 0n }]);
        expect(reported.map(brief)).toContainEqual({ tag, topic: 't', partition: 0, offset: 0n });
        // Failed once, then left alone: no spinning on the bad batch. Records are decoded as they are delivered, so a
        // record-level corruption surfaces after the next Fetch (pipelined, from past the batch) may have gone out.
        expect(fetchesOfCorrupted.length).toBeGreaterThanOrEqual(1);
        expect(fetchesOfCorrupted.length).toBeLessThanOrEqual(2);
        expect(got).toEqual(['1/0', '1/1', '1/2', '1/3', '1/4']);
        expect(cluster.committed('g')).toEqual({ 't/1': 5n });
        expect(cluster.members('g')).toEqual([]);
      });
    });

    it('multiplex mode: messages$ fails with the typed error (one stream, so one failure ends it); what was marked is committed and the member leaves', () => {
      const ts = virtualTime();
      ts.run(() => {
        const cluster = new InMemoryCluster({ topics: { t: 2 } });
        cluster.produce('t', 1, values(3));
        const { group, fetchesOfCorrupted } = corruptingGroup(cluster, ts, { topic: 't', partition: 0 }, corrupt, { groupId: 'g', topics: ['t'], consumer: { checkCrcs } });
        const got: string[] = [];
        const failed: KafkaClientError[] = [];
        let failedAt = -1;
        group.messages$.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe({
          error: (e: KafkaClientError) => {
            failed.push(e);
            failedAt = ts.now();
          },
        });
        // t/1 is consumed first; the bad batch on t/0 arrives later.
        timer(2000).subscribe(() => cluster.produce('t', 0, values(3)));
        ts.flush();
        expect(failed.map(brief)).toEqual([{ tag, topic: 't', partition: 0, offset: 0n }]);
        expect(failedAt).toBe(2000);
        expect(fetchesOfCorrupted.filter((at) => at > failedAt)).toEqual([]); // no spinning on the bad batch
        expect(got).toEqual(['1/0', '1/1', '1/2']);
        expect(cluster.committed('g')).toEqual({ 't/1': 3n });
        expect(cluster.members('g')).toEqual([]);
      });
    });
  });

});
