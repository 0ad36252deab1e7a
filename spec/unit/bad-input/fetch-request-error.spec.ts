import { timer } from 'rxjs';
import { type KafkaClientError } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

describe('a whole Fetch request failing with a non-retriable error (in-memory broker, virtual time)', () => {
  it('is reported, and the Fetch is not sent again at once: no request loop, errors$ not flooded', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(1));
      // 200 failures queued: a consumer that refetches at once burns through them all at virtual time 0.
      cluster.failNext('fetch', 200, 'CLUSTER_AUTHORIZATION_FAILED');
      const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const reported: { at: number; error: KafkaClientError }[] = [];
      group.errors$.subscribe((error) => reported.push({ at: ts.now(), error }));
      group.messages$.subscribe({ error: () => undefined });
      timer(2000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(reported[0]?.error).toMatchObject({ _tag: 'AuthorizationError', code: 'CLUSTER_AUTHORIZATION_FAILED' });
      expect(recorded.fetches.filter((f) => f.at === reported[0]?.at).length).toBeLessThanOrEqual(1);
      expect(reported.length).toBeLessThanOrEqual(20);
    });
  });
});
