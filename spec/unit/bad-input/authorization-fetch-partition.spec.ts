import { map, tap, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { protocolError } from '../../../src/errors';
import { overriding, type Transport } from '../../../src/transport';
import { values, virtualTime } from '../../support/in-memory-group';
import { brief, groupOn } from './wrapped-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;


describe('unauthorised topic on Fetch (in-memory broker, virtual time)', () => {
  it('TOPIC_AUTHORIZATION_FAILED on a partition of a Fetch (partition mode): that partition fails with AuthorizationError naming topic and partition, is not fetched again; the other partition keeps flowing', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 2 } });
      cluster.produce('t', 0, values(2));
      cluster.produce('t', 1, values(2));
      let fetchesOf0 = 0;
      const denyPartition0 = (t: Transport): Transport =>
        overriding(t, {
          fetch: (r) =>
            t.fetch(r).pipe(
              map((ps) =>
                ps.map((p) => {
                  if (p.topic !== 't' || p.partition !== 0) return p;
                  // Denied 300 times at most: a guard, so a consumer that spins on the error still ends the test.
                  if (++fetchesOf0 > 300) return p;
                  return { ...p, records: Buffer.alloc(0), error: protocolError('TOPIC_AUTHORIZATION_FAILED', { topic: 't', partition: 0, api: 'Fetch' }) };
                }),
              ),
            ),
        });
      const group = groupOn(cluster, { wrap: denyPartition0 });
      const reported: KafkaClientError[] = [];
      const got: string[] = [];
      group.errors$.subscribe((e) => reported.push(e));
      const failed: KafkaClientError[] = [];
      group.partitions$.subscribe((p) => p.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe({ error: (e: KafkaClientError) => failed.push(e) }));
      timer(3000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(reported.map(brief)).toContainEqual({ tag: 'AuthorizationError', code: 'TOPIC_AUTHORIZATION_FAILED', group: undefined, topic: 't', partition: 0 });
      expect(failed.map(brief)).toEqual([{ tag: 'AuthorizationError', code: 'TOPIC_AUTHORIZATION_FAILED', group: undefined, topic: 't', partition: 0 }]);
      expect(got).toEqual(['1/0', '1/1']);
      expect(fetchesOf0).toBeLessThanOrEqual(2); // the partition fails (or backs off): no refetch loop on a non-retriable error
    });
  });
});
