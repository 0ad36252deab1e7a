import { tap, timer } from 'rxjs';
import { CONFIG_DEFAULTS, markOffsets, type KafkaClientError, type KafkaMessage } from '../../../src';
import { InMemoryCluster, type ApiName } from '../../../src/testing';
import { values, virtualTime } from '../../support/in-memory-group';
import { brief, groupOn } from './wrapped-group';

const id = (m: KafkaMessage) => `${m.partition}/${m.offset}`;


describe('unauthorised group or topic (in-memory broker fault injection, virtual time)', () => {
  const groupApis: ApiName[] = ['findCoordinator', 'joinGroup', 'syncGroup'];
  it.each(groupApis)('GROUP_AUTHORIZATION_FAILED on %s: messages$ fails at once with AuthorizationError naming the group; nothing is retried', (api) => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } }).failNext(api, 100, 'GROUP_AUTHORIZATION_FAILED');
      cluster.produce('t', 0, values(1));
      const group = groupOn(cluster);
      const failed: { at: number; error: KafkaClientError }[] = [];
      const got: string[] = [];
      group.messages$.pipe(tap((m) => got.push(id(m)))).subscribe({ error: (error: KafkaClientError) => failed.push({ at: ts.now(), error }) });
      ts.flush();
      expect(failed).toHaveLength(1);
      expect(failed[0]?.error).toMatchObject({ _tag: 'AuthorizationError', code: 'GROUP_AUTHORIZATION_FAILED', context: expect.objectContaining({ group: 'g' }) });
      expect(failed[0]?.at).toBe(0);
      expect(got).toEqual([]);
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('GROUP_AUTHORIZATION_FAILED on OffsetFetch (start positions): messages$ fails at once with AuthorizationError naming the group; nothing is retried', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } }).failNext('offsetFetch', 100, 'GROUP_AUTHORIZATION_FAILED');
      const group = groupOn(cluster);
      const reported: KafkaClientError[] = [];
      const failed: KafkaClientError[] = [];
      group.errors$.subscribe((e) => reported.push(e));
      let failedAt = -1;
      group.messages$.subscribe({
        error: (e: KafkaClientError) => {
          failed.push(e);
          failedAt = ts.now();
        },
      });
      ts.flush();
      const denied = { _tag: 'AuthorizationError', code: 'GROUP_AUTHORIZATION_FAILED', context: expect.objectContaining({ group: 'g', topic: 't', partition: 0 }) };
      expect(failed).toEqual([expect.objectContaining(denied)]);
      expect(reported.filter((e) => e.code === 'GROUP_AUTHORIZATION_FAILED')).toHaveLength(0); // no retry to report
      expect(failedAt).toBeLessThan(CONFIG_DEFAULTS.retry.initialBackoff); // failed on the first answer, no backoff waited
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('GROUP_AUTHORIZATION_FAILED on OffsetCommit: reported on errors$ naming the group, nothing is committed, close still leaves', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, values(2));
      const group = groupOn(cluster);
      const reported: KafkaClientError[] = [];
      group.errors$.subscribe((e) => reported.push(e));
      timer(500).subscribe(() => cluster.failNext('offsetCommit', 100, 'GROUP_AUTHORIZATION_FAILED'));
      group.messages$.pipe(markOffsets(group)).subscribe();
      timer(3000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(reported.map(brief)).toContainEqual({ tag: 'AuthorizationError', code: 'GROUP_AUTHORIZATION_FAILED', group: 'g', topic: undefined, partition: undefined });
      expect(cluster.committed('g')).toEqual({});
      expect(cluster.members('g')).toEqual([]);
    });
  });
});
