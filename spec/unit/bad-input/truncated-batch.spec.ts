import { tap, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { values, virtualTime } from '../../support/in-memory-group';
import { corruptingGroup, truncated } from './corrupting-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;
const brief = (e: KafkaClientError) => ({ tag: e._tag, topic: e.context.topic, partition: e.context.partition, offset: e.context.offset });

describe('a truncated record batch (in-memory broker, virtual time)', () => {
  it('the only batch of a Fetch cut short, though the response had room for it: CorruptRecordBatch for that partition at its offset, no refetch loop, the other partition keeps flowing', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(3));
      cluster.produce('t', 1, values(3));
      const { group, fetchesOfCorrupted } = corruptingGroup(cluster, ts, { topic: 't', partition: 0 }, truncated, { groupId: 'g', topics: ['t'] });
      const got: string[] = [];
      const failed: KafkaClientError[] = [];
      group.partitions$.subscribe((p) => p.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe({ error: (e: KafkaClientError) => failed.push(e) }));
      timer(3000).subscribe(() => cluster.produce('t', 1, values(2, 'late')));
      timer(6000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(failed.map(brief)).toEqual([{ tag: 'CorruptRecordBatch', topic: 't', partition: 0, offset: 0n }]);
      expect(fetchesOfCorrupted.length).toBeLessThanOrEqual(2); // at most one retry (e.g. with a larger maxBytes), then left alone
      expect(got).toEqual(['1/0', '1/1', '1/2', '1/3', '1/4']);
      expect(cluster.committed('g')).toEqual({ 't/1': 5n });
    });
  });
});
