import diagnosticsChannel from 'node:diagnostics_channel';
import { filter, take, tap, timer } from 'rxjs';
import { DIAGNOSTIC_CHANNELS, markOffsets, type KafkaMessage } from '../../../src';
import { GroupSession } from '../../../src/sources/group-session';
import { InMemoryCluster } from '../../../src/testing';
import { inMemoryGroup, values, virtualTime } from '../../support/in-memory-group';

type Group = ReturnType<typeof inMemoryGroup>['group'];

/** One partition holding `n` messages produced in one batch, consumed by `pipeline` until 2 s, then closed. */
const run = (n: number, pipeline: (group: Group) => void, consumer?: Record<string, unknown>) => {
  const ts = virtualTime();
  let result = { committed: {} as Readonly<Record<string, bigint>>, commits: [] as { at: number; offsets: Record<string, bigint> }[] };
  ts.run(() => {
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    cluster.produce('t', 0, values(n));
    const { group, recorded } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], ...(consumer ? { consumer } : {}) });
    pipeline(group);
    timer(2000).subscribe(() => group.close().subscribe());
    ts.flush();
    result = { committed: cluster.committed('g'), commits: recorded.commits };
  });
  return result;
};

describe("markOffsets applies one mark per delivered batch (the run's last), in virtual time", () => {
  afterEach(() => jest.restoreAllMocks());

  it('a batch of 50 marked by a synchronous pipeline reaches the ledger as one mark, and all 50 are committed', () => {
    const applied = jest.spyOn(GroupSession.prototype, 'applyMark');
    let seen = 0;
    const { committed } = run(50, (group) => group.messages$.pipe(tap(() => seen++), markOffsets(group)).subscribe());
    expect(seen).toBe(50);
    expect(applied.mock.calls.map((c) => c[3])).toEqual([49n]);
    expect(committed).toEqual({ 't/0': 50n });
  });

  it('every mark is applied (and published) one by one while the mark channel has a subscriber (tracing)', () => {
    const applied = jest.spyOn(GroupSession.prototype, 'applyMark');
    const published: bigint[] = [];
    const listener = (e: unknown) => published.push((e as { offset: bigint }).offset);
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.mark, listener);
    try {
      const { committed } = run(5, (group) => group.messages$.pipe(markOffsets(group)).subscribe());
      expect(applied).toHaveBeenCalledTimes(5);
      expect(published).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(committed).toEqual({ 't/0': 5n });
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.mark, listener);
    }
  });

  it('a reset made by the handler mid-batch is not overtaken by the marks held before it', () => {
    // Marks 0..3 are held; at message 4 the handler rewinds to just after 1 and message 4 is not marked.
    const { committed } = run(5, (group) =>
      group.messages$
        .pipe(
          tap((m) => m.offset === 4n && group.resetPartitionOffset('t', 0, 1n)),
          filter((m) => m.offset < 4n),
          markOffsets(group),
        )
        .subscribe(),
    );
    expect(committed).toEqual({ 't/0': 2n });
  });

  it('commitOffsets called by the handler mid-batch commits the marks made before it in that batch', () => {
    const { commits } = run(10, (group) =>
      group.messages$
        .pipe(
          tap((m) => m.offset === 6n && group.commitOffsets().subscribe()),
          markOffsets(group),
        )
        .subscribe(),
    );
    expect(commits[0]?.offsets).toEqual({ 't/0': 6n }); // 0..5 marked before the handler saw 6
    expect(commits[commits.length - 1]?.offsets).toEqual({ 't/0': 10n });
  });

  it('lag read by the handler mid-batch counts the marks made before it', () => {
    const lags: bigint[] = [];
    run(10, (group) =>
      group.messages$
        .pipe(
          tap((m) => m.offset === 3n && lags.push(group.lag()['t']?.[0] ?? -1n)),
          markOffsets(group),
        )
        .subscribe(),
    );
    expect(lags).toEqual([7n]); // high-water mark 10, 0..2 marked: position 3
  });

  it('a pipeline that completes mid-batch (take) still has its last mark committed', () => {
    const { committed } = run(10, (group) => group.messages$.pipe(take(4), markOffsets(group)).subscribe());
    expect(committed).toEqual({ 't/0': 4n });
  });

  it('credit returns on the batch-end mark: a 20-message budget still lets 300 synchronous messages through, every one committed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      for (let i = 0; i < 30; i++) cluster.produce('t', 0, values(10, `b${i}-`));
      const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', topics: ['t'], consumer: { credit: { maxMessages: 20, returnOn: 'mark' }, fetch: { partitionMax: 1000 } } });
      const seen: bigint[] = [];
      group.messages$.pipe(tap((m: KafkaMessage) => seen.push(m.offset)), markOffsets(group)).subscribe();
      timer(5000).subscribe(() => group.close().subscribe());
      ts.flush();
      expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => BigInt(i)));
      expect(cluster.committed('g')).toEqual({ 't/0': 300n });
    });
  });

  it('partition mode coalesces too: one ledger mark per batch of each partition stream', () => {
    const applied = jest.spyOn(GroupSession.prototype, 'applyMark');
    const { committed } = run(20, (group) => group.partitions$.subscribe((p) => p.pipe(markOffsets(group)).subscribe()));
    expect(applied.mock.calls.map((c) => c[3])).toEqual([19n]);
    expect(committed).toEqual({ 't/0': 20n });
  });
});
