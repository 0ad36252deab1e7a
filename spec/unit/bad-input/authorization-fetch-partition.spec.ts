import { map, tap, timer } from 'rxjs';
import { consumerGroup, markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { protocolError } from '../../../src/errors';
import { overriding, type Transport } from '../../../src/transport';
import { values, virtualTime } from '../../support/in-memory-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;
const brief = (e: KafkaClientError) => ({ tag: e._tag, code: e.code, group: e.context.group, topic: e.context.topic, partition: e.context.partition });

/** A group on the in-memory cluster, each transport passed through `wrap` (default: as is). */
const groupOn = (cluster: InMemoryCluster, ts: { now(): number }, wrap: (t: Transport) => Transport = (t) => t) =>
  consumerGroup(
    {
      brokers: ['in-memory:9092'],
      groupId: 'g',
      topics: ['t'],
      group: { session: { timeout: 10000 }, heartbeat: { interval: 1000 }, rebalance: { timeout: 30000, drainTimeout: 5000 } },
      consumer: { offsets: { initial: 'oldest', commitInterval: 1000 }, fetch: { maxWait: 100 } },
    },
    { createTransport: () => wrap(cluster.transport({ clientId: 'g' })) },
  );

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
      const group = groupOn(cluster, ts, denyPartition0);
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
