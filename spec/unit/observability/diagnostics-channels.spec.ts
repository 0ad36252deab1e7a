/**
 * The diagnostics channels, subscribed as an APM would (node:diagnostics_channel), around a group on the in-memory
 * cluster in virtual time; and the pass-through when nobody subscribes.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { of, tap } from 'rxjs';
import { DIAGNOSTIC_CHANNELS, markOffsets, type ErrorEvent, type MarkEvent, type RebalanceTrace, type RequestTrace } from '../../../src';
import { instrumentTransport } from '../../../src/observability/instrumented-transport';
import { InMemoryCluster } from '../../../src/testing';
import type { FetchRequest, Transport } from '../../../src/transport';
import { inMemoryGroup, virtualTime } from '../../support/in-memory-group';

type Name = Exclude<keyof typeof DIAGNOSTIC_CHANNELS, 'error'>;

describe('diagnostics channels', () => {
  it('trace fetch, commit, join, sync, heartbeat and the rebalance (start, then asyncEnd with the result), and carry errors', () => {
    const seen: { name: Name; event: string; trace: RequestTrace | RebalanceTrace }[] = [];
    const errors: ErrorEvent[] = [];
    const names: Name[] = ['fetch', 'commit', 'join', 'sync', 'heartbeat', 'rebalance'];
    const handlers = names.map((name) => {
      const h = {
        start: (t: unknown) => seen.push({ name, event: 'start', trace: t as RequestTrace }),
        asyncEnd: (t: unknown) => seen.push({ name, event: 'asyncEnd', trace: t as RequestTrace }),
        error: (t: unknown) => seen.push({ name, event: 'error', trace: t as RequestTrace }),
      };
      diagnosticsChannel.tracingChannel(DIAGNOSTIC_CHANNELS[name]).subscribe(h as never);
      return { name, h };
    });
    const onError = (e: unknown) => errors.push(e as ErrorEvent);
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.error, onError);
    try {
      const ts = virtualTime();
      const cluster = new InMemoryCluster({ topics: { t: 1 } }).setLatency(3);
      ts.run(({ flush }) => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', clientId: 'app-1', topics: ['t'] });
        cluster.produce('t', 0, [{ value: 'a' }, { value: 'b' }]);
        const sub = group.messages$.pipe(markOffsets(group)).subscribe();
        ts.schedule(() => cluster.failNext('heartbeat', 1, 'NOT_COORDINATOR'), 2_500);
        ts.schedule(() => sub.unsubscribe(), 6_000);
        flush();
      });
    } finally {
      for (const { name, h } of handlers) diagnosticsChannel.tracingChannel(DIAGNOSTIC_CHANNELS[name]).unsubscribe(h as never);
      diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.error, onError);
    }
    const traces = (name: Name, event: string) => seen.filter((s) => s.name === name && s.event === event).map((s) => s.trace);
    for (const name of ['fetch', 'commit', 'join', 'sync', 'heartbeat'] as const) {
      expect({ name, started: traces(name, 'start').length > 0 }).toEqual({ name, started: true });
      // Every request that started ended (answered, failed or abandoned), with the same context object.
      expect(traces(name, 'asyncEnd').filter((t) => traces(name, 'start').includes(t)).length).toBe(traces(name, 'asyncEnd').length);
    }
    const fetch = traces('fetch', 'asyncEnd').find((t) => !(t as RequestTrace).cancelled) as RequestTrace;
    expect(fetch).toMatchObject({ group: 'g', clientId: 'app-1', api: 'Fetch', nodeId: (fetch.request as FetchRequest).nodeId });
    expect(fetch.durationMs).toBeGreaterThanOrEqual(3);
    expect(Array.isArray(fetch.result)).toBe(true);
    const commit = traces('commit', 'asyncEnd')[0] as RequestTrace;
    expect(commit).toMatchObject({ api: 'OffsetCommit', group: 'g' });
    const failed = traces('heartbeat', 'error') as RequestTrace[];
    expect(failed.map((t) => [t.api, t.error?.code])).toEqual([['Heartbeat', 'NOT_COORDINATOR']]);
    const rebalance = traces('rebalance', 'asyncEnd')[0] as RebalanceTrace;
    expect([rebalance.start.type, rebalance.result?.type, rebalance.result?.current]).toEqual(['RebalanceStart', 'RebalanceOK', { t: [0] }]);
    expect(errors.map((e) => [e.group, e.clientId, e.error.code])).toContainEqual(['g', 'app-1', 'NOT_COORDINATOR']);
  });

  it('the mark channel carries every accepted mark: kind, partition, offset and the message marked', () => {
    const marks: MarkEvent[] = [];
    const onMark = (m: unknown) => marks.push(m as MarkEvent);
    diagnosticsChannel.subscribe(DIAGNOSTIC_CHANNELS.mark, onMark);
    const delivered: object[] = [];
    try {
      const ts = virtualTime();
      const cluster = new InMemoryCluster({ topics: { t: 1 } });
      ts.run(({ flush }) => {
        const { group } = inMemoryGroup(cluster, ts, { groupId: 'g', clientId: 'app-1', topics: ['t'] });
        cluster.produce('t', 0, [{ value: 'a' }, { value: 'b' }]);
        const sub = group.messages$.pipe(tap((m) => delivered.push(m)), markOffsets(group)).subscribe();
        ts.schedule(() => group.markPartitionOffset('t', 3, 0n), 1_000); // not owned: refused, not published
        ts.schedule(() => sub.unsubscribe(), 2_000);
        flush();
      });
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTIC_CHANNELS.mark, onMark);
    }
    expect(marks.map((m) => [m.group, m.clientId, m.kind, m.topic, m.partition, m.offset])).toEqual([
      ['g', 'app-1', 'mark', 't', 0, 0n],
      ['g', 'app-1', 'mark', 't', 0, 1n],
    ]);
    expect(marks.map((m) => m.message)).toEqual(delivered);
  });

  it('with no subscriber and no metrics, the instrumented transport hands back the request itself (nothing is wrapped)', () => {
    const answer = of([]);
    const t = { fetch: () => answer } as unknown as Transport;
    const meter = { active: () => false, fetched: () => undefined, committed: () => undefined };
    const request: FetchRequest = { nodeId: 1, maxWaitMs: 1, minBytes: 1, maxBytes: 1, isolationLevel: 'read_uncommitted', partitions: [] };
    expect(instrumentTransport(t, { group: 'g', clientId: 'c' }, { now: () => 0 } as never, meter).fetch(request)).toBe(answer);
    let measured = 0;
    const metered = { ...meter, active: () => true, fetched: () => void measured++ };
    instrumentTransport(t, { group: 'g', clientId: 'c' }, { now: () => 0 } as never, metered).fetch(request).pipe(tap(() => undefined)).subscribe();
    expect(measured).toBe(1);
  });
});
