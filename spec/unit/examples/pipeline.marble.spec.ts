import { concatMap, map, mergeMap, take, tap, timer } from 'rxjs';
import { markOffsets, type KafkaMessage } from '../../../src';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

/** How a user tests a pipeline: the in-memory cluster under TestScheduler.run, time and commits asserted as marbles. */
describe('a user pipeline in virtual time (README "Testing your pipelines")', () => {
  const work = (m: KafkaMessage) => timer(Number(m.value?.toString() ?? 0)).pipe(map(() => `${m.offset}`)); // each value is its handling time in ms

  it('concurrent out-of-order handling: results as they finish, commits only over the contiguous processed prefix', () => {
    const ts = virtualTime();
    ts.run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, [{ value: '3000' }, { value: '100' }, { value: '200' }]); // offset 0 is slow
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const finished: string[] = [];
      const started = { at: -1 };
      group.messages$
        .pipe(
          tap(() => started.at < 0 && (started.at = ts.now())),
          mergeMap((m) => work(m).pipe(tap((o) => finished.push(o)), map(() => m)), 4),
          markOffsets(group, { outOfOrder: true }),
        )
        .subscribe();
      const committed = () => cluster.committed('g')['t/0'] ?? 'none';
      // Commit interval 1 s: at 2.5 s offsets 1 and 2 are done but 0 is not, so nothing may be committed yet;
      // at 5 s all three are done and committed.
      expectObservable(timer(2500).pipe(map(() => [finished.join(','), committed()]))).toBe('2500ms (a|)', { a: ['1,2', 'none'] });
      expectObservable(timer(5000).pipe(map(() => [finished.join(','), committed()]))).toBe('5000ms (a|)', { a: ['1,2,0', 3n] });
      timer(6000).subscribe(() => group.close().subscribe());
    });
  });

  it('a sequential pipeline emits in offset order at the pace of its handler (handling times relative to the first arrival)', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      cluster.produce('t', 0, [{ value: '10' }, { value: '20' }, { value: '30' }]);
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'] });
      const handled$ = group.messages$.pipe(concatMap(work), take(3));
      const out: { at: number; offset: string }[] = [];
      handled$.subscribe((offset) => out.push({ at: ts.now(), offset }));
      ts.flush();
      const t0 = (out[0]?.at ?? 0) - 10; // when the first message arrived
      expect(out.map((o) => [o.at - t0, o.offset])).toEqual([[10, '0'], [30, '1'], [60, '2']]);
      group.close().subscribe();
    });
  });
});
