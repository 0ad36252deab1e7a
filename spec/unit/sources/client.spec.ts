import { lastValueFrom, take, timer } from 'rxjs';
import { createClient, markOffsets, type KafkaClientError } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { values, virtualTime } from '../../support/in-memory-group';

describe('a client that consumers are built from (NewClient / NewConsumerFromClient)', () => {
  it('serves one consumer at a time: a second concurrent one gets ClientInUse; after the first closes, the next works on the same connection', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(2));
      const transports: unknown[] = [];
      const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => (transports.push(1), cluster.transport({ clientId: 'shared' })) });
      const config = { topics: ['t'], consumer: { offsets: { initial: 'oldest' as const } } };
      const first = client.consumerGroup({ groupId: 'a', ...config });
      const second = client.consumerGroup({ groupId: 'b', ...config });
      let firstCount = 0;
      let secondError: KafkaClientError | undefined;
      let thirdCount = 0;
      first.messages$.pipe(take(2), markOffsets(first)).subscribe({ complete: () => undefined });
      first.messages$.subscribe(() => firstCount++);
      second.messages$.subscribe({ error: (e: KafkaClientError) => (secondError = e) });
      timer(1000).subscribe(() =>
        lastValueFrom(first.close(), { defaultValue: undefined }).then(() => undefined),
      );
      timer(2000).subscribe(() => {
        const third = client.consumerGroup({ groupId: 'c', ...config });
        third.messages$.pipe(take(2)).subscribe({ next: () => thirdCount++, complete: () => third.close().subscribe() });
      });
      timer(5000).subscribe(() => client.close().subscribe());
      ts.flush();
      expect(firstCount).toBe(2);
      expect(secondError?._tag).toBe('ClientInUse');
      expect(secondError?.message).toContain('group a');
      expect(thirdCount).toBe(2);
      expect(transports).toHaveLength(1); // one transport (connection set) served both consumers
    });
  });
});

describe('client.config (ClusterConfig)', () => {
  it('returns the connection settings with the SASL password redacted', () => {
    const client = createClient({ brokers: ['a:9092'], clientId: 'c', sasl: { mechanism: 'plain', username: 'u', password: 'sentinel-secret' } });
    expect(client.config()).toEqual({ brokers: ['a:9092'], clientId: 'c', sasl: { mechanism: 'plain', username: 'u', password: '[redacted]' } });
    expect(JSON.stringify(client.config())).not.toContain('sentinel-secret');
  });
});
