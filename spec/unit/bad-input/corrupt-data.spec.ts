import { tap, timer } from 'rxjs';
import { markOffsets, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { values, virtualTime } from '../../support/in-memory-group';
import { badCrc, corruptingGroup } from './corrupting-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;

describe('corrupt data (in-memory broker, virtual time)', () => {
  it('a bad CRC with consumer.checkCrcs off (the default) is not detected: the records are delivered as read', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(2));
      const { group } = corruptingGroup(cluster, ts, { topic: 't', partition: 0 }, badCrc, { groupId: 'g', topics: ['t'] });
      const got: string[] = [];
      group.messages$.pipe(tap((m) => got.push(`${id(m)}=${m.value?.toString() ?? ''}`)), markOffsets(group)).subscribe();
      timer(2000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(got).toEqual(['0/0=v0', '0/1=v1']);
    });
  });

  it('a message larger than the fetch limits is still delivered whole (the broker returns the first batch regardless, KIP-74), and the next ones after it', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      const big = 'x'.repeat(64 * 1024);
      cluster.produce('t', 0, [{ value: big }]);
      cluster.produce('t', 0, values(2));
      cluster.produce('t', 1, values(2));
      const { group } = corruptingGroup(cluster, ts, { topic: 't', partition: 0 }, (r) => r, {
        groupId: 'g',
        topics: ['t'],
        consumer: { fetch: { max: 4096, partitionMax: 1024 }, credit: { maxBytes: 4096, globalMaxBytes: 4096 } },
      });
      const got: string[] = [];
      group.messages$.pipe(tap((m) => got.push(`${id(m)}:${m.value?.length ?? 0}`)), markOffsets(group)).subscribe();
      timer(3000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(got.filter((s) => s.startsWith('0/'))).toEqual([`0/0:${big.length}`, '0/1:2', '0/2:2']);
      expect(got.filter((s) => s.startsWith('1/'))).toEqual(['1/0:2', '1/1:2']);
      expect(cluster.committed('g')).toEqual({ 't/0': 3n, 't/1': 2n });
    });
  });
});
