import { map, tap, timer } from 'rxjs';
import { markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { protocolError } from '../../../src/errors';
import { InMemoryCluster } from '../../../src/testing';
import { overriding, type Transport } from '../../../src/transport';
import { values, virtualTime } from '../../support/in-memory-group';
import { groupOn } from './wrapped-group';

const id = (m: KafkaMessage) => `${m.topic}/${m.partition}/${m.offset}`;


describe('unknown or unauthorised subscribed topics (in-memory broker, virtual time)', () => {
  it('a subscribed topic that does not exist: a typed UNKNOWN_TOPIC_OR_PARTITION on errors$ naming it and the group, once; the known topic is consumed meanwhile', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(2));
      const group = groupOn(cluster, { topics: ['t', 'missing'] });
      const reported: KafkaClientError[] = [];
      const got: string[] = [];
      group.errors$.subscribe((e) => reported.push(e));
      group.messages$.pipe(tap((m) => got.push(id(m))), markOffsets(group)).subscribe();
      timer(3000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(reported).toEqual([expect.objectContaining({ _tag: 'KafkaProtocolError', code: 'UNKNOWN_TOPIC_OR_PARTITION', context: expect.objectContaining({ topic: 'missing', group: 'g' }) })]);
      expect(got).toEqual(['t/0/0', 't/0/1']);
    });
  });

  it('TOPIC_AUTHORIZATION_FAILED in Metadata for a subscribed topic fails the join with an AuthorizationError naming the topic (like the Java consumer), not an empty assignment', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1, secret: 1 } });
      const deny = (t: Transport): Transport =>
        overriding(t, {
          metadata: (r) =>
            t.metadata(r).pipe(
              map((md) => ({ ...md, topics: md.topics.map((x) => (x.topic === 'secret' ? { topic: 'secret', partitions: [], error: protocolError('TOPIC_AUTHORIZATION_FAILED', { topic: 'secret' }) } : x)) })),
            ),
        });
      cluster.produce('t', 0, values(1));
      const group = groupOn(cluster, { topics: ['t', 'secret'], wrap: deny });
      const failed: KafkaClientError[] = [];
      group.messages$.pipe(markOffsets(group)).subscribe({ error: (e: KafkaClientError) => failed.push(e) });
      timer(12000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(failed).toEqual([expect.objectContaining({ _tag: 'AuthorizationError', code: 'TOPIC_AUTHORIZATION_FAILED', context: expect.objectContaining({ topic: 'secret' }) })]);
      expect(cluster.members('g')).toEqual([]);
    });
  });
});
