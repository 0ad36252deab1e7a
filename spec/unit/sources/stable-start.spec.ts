import { concatMap, lastValueFrom, timer } from 'rxjs';
import type { KafkaClientError } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import type { Transport } from '../../../src/transport';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

const need = <K extends keyof Transport>(t: Transport, k: K): NonNullable<Transport[K]> => {
  const m = t[k];
  if (!m) throw new Error(`no ${String(k)}`);
  return (m as (...a: never[]) => unknown).bind(t) as NonNullable<Transport[K]>;
};

/**
 * KIP-447: a member must not start a partition from an offset that an open transaction (a zombie's, say) may still
 * move. It asks for stable offsets, as the Java consumer does, and waits until the transaction has ended.
 */
describe('start positions: stable offsets only', () => {
  it.each([
    ['commits', true, ['a2', 'b0', 'b1']],
    ['aborts', false, ['a0', 'a1', 'a2', 'b0', 'b1']],
  ])('a partition whose offsets an open transaction holds starts once the transaction %s, from what it left', (_name, commit, expected) => {
    const ts = virtualTime();
    const seen: { value: string; at: number }[] = [];
    const errors: KafkaClientError[] = [];
    ts.run(() => {
      const cluster = new InMemoryCluster({ brokers: 3, topics: { in: 2 } });
      cluster.produce('in', 0, values(3, 'a'));
      cluster.produce('in', 1, values(2, 'b'));
      // Another producer's transaction holds in/0 at offset 2 for group g until t=2000.
      const t = cluster.transport({ clientId: 'zombie' });
      const transactionalId = 'zombie';
      const held = need(t, 'findTransactionCoordinator')({ transactionalId }).pipe(
        concatMap(({ nodeId }) => need(t, 'initProducerId')({ transactionalId, nodeId, transactionTimeoutMs: 60000 }).pipe(concatMap((id) => [{ ...id, coordinator: nodeId, transactionalId }]))),
        concatMap((who) =>
          need(t, 'addOffsetsToTxn')({ ...who, groupId: 'g' }).pipe(
            concatMap(() => t.findCoordinator({ groupId: 'g' })),
            concatMap(({ nodeId }) => need(t, 'txnOffsetCommit')({ ...who, coordinator: nodeId, groupId: 'g', memberId: '', generationId: -1, offsets: [{ topic: 'in', partition: 0, offset: 2n }] })),
            concatMap(() => timer(2000)),
            concatMap(() => need(t, 'endTxn')({ ...who, commit })),
          ),
        ),
      );
      held.subscribe();
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['in'], consumer: { isolationLevel: 'read_committed' } });
      group.errors$.subscribe((e) => errors.push(e));
      const sub = group.messages$.subscribe((m) => seen.push({ value: m.value?.toString() ?? '', at: ts.now() }));
      timer(5000).subscribe(() => {
        sub.unsubscribe();
        void lastValueFrom(group.close(), { defaultValue: undefined });
      });
    });
    expect(seen.map((s) => s.value).sort()).toEqual(expected);
    expect(seen.filter((s) => s.value.startsWith('a')).every((s) => s.at >= 2000)).toBe(true);
    const unstable = errors.filter((e) => e.code === 'UNSTABLE_OFFSET_COMMIT');
    expect(unstable).toHaveLength(1);
    expect(unstable[0]?.context).toMatchObject({ group: 'g', topic: 'in', partition: 0 });
  });
});
