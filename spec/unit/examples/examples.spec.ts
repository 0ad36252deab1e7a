import { lastValueFrom, map, Subject, timer } from 'rxjs';
import { InMemoryCluster } from '../../../src/testing';
import { multiplex } from '../../../examples/multiplex';
import { partitionMode } from '../../../examples/partition-mode';
import { whitelisted } from '../../../examples/whitelist';
import { atLeastOnce } from '../../../examples/at-least-once-concurrency';
import { transformTopic } from '../../../examples/consume-transform-produce';
import { exactlyOnce } from '../../../examples/exactly-once';
import { values, virtualTime } from '../../support/in-memory-group';

/** The examples run unchanged against the in-memory broker, in virtual time (the `deps` option). */
const onCluster = (cluster: InMemoryCluster, clientId: string) => ({ createTransport: () => cluster.transport({ clientId }) });

describe('examples, in virtual time on the in-memory broker', () => {
  it('exactly-once: read_committed sees each input’s output once, and the offsets committed with the transactions', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { in: 2, out: 2 } });
      cluster.produce('in', 0, values(4));
      cluster.produce('in', 1, values(3, 'w'));
      let completed = false;
      const committed: bigint[] = [];
      exactlyOnce({ brokers: ['in-memory:9092'], groupId: 'g', input: 'in', output: 'out', transactionalId: 'x-1', transform: (m) => m.value?.toString().toUpperCase() ?? '', initial: 'oldest', stop$: timer(3000), deps: onCluster(cluster, 'g') }).subscribe({
        next: (r) => committed.push(...r.offsets.map((o) => o.offset)),
        complete: () => (completed = true),
      });
      ts.flush();
      expect(completed).toBe(true);
      expect(committed.sort()).toEqual([3n, 4n]);
      const outputs = [0, 1].flatMap((p) => cluster.records('out', p, 'read_committed').map((m) => m.value?.toString()));
      expect(outputs.sort()).toEqual(['V0', 'V1', 'V2', 'V3', 'W0', 'W1', 'W2']);
      expect(cluster.committed('g')).toEqual({ 'in/0': 4n, 'in/1': 3n });
    });
  });

  it('consume-transform-produce: every input’s output is in the output topic, each input marked after its output, all committed', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { in: 2, out: 3 } });
      cluster.produce('in', 0, values(4));
      cluster.produce('in', 1, values(3, 'w'));
      const sources: string[] = [];
      let completed = false;
      transformTopic({ brokers: ['in-memory:9092'], groupId: 'g', input: 'in', output: 'out', transform: (m) => m.value?.toString().toUpperCase() ?? '', initial: 'oldest', stop$: timer(3000), deps: onCluster(cluster, 'g') }).subscribe({
        next: (r) => sources.push(`${r.record.source.partition}/${r.record.source.offset}`),
        complete: () => (completed = true),
      });
      ts.flush();
      expect(completed).toBe(true);
      expect(sources.sort()).toEqual(['0/0', '0/1', '0/2', '0/3', '1/0', '1/1', '1/2']);
      const outputs = [0, 1, 2].flatMap((p) => cluster.records('out', p).map((m) => m.value?.toString()));
      expect(outputs.sort()).toEqual(['V0', 'V1', 'V2', 'V3', 'W0', 'W1', 'W2']);
      expect(cluster.committed('g')).toEqual({ 'in/0': 4n, 'in/1': 3n });
    });
  });

  it('multiplex: prints every message, logs the rebalance, commits everything and completes after stop$', () => {
    const ts = virtualTime();
    ts.run(({ expectObservable }) => {
      const cluster = new InMemoryCluster({ topics: { t: 2, u: 1 } });
      cluster.produce('t', 0, values(3));
      cluster.produce('t', 1, values(2));
      cluster.produce('u', 0, values(1, 'u'));
      const printed: string[] = [];
      const logged: string[] = [];
      const run$ = multiplex({ brokers: ['in-memory:9092'], topics: ['t', 'u'], groupId: 'g', initial: 'oldest', stop$: timer(5000), print: (l) => printed.push(l), log: (l) => logged.push(l), deps: onCluster(cluster, 'g') });
      const done = { at: -1 };
      run$.subscribe({ complete: () => (done.at = ts.now()) });
      expectObservable(timer(4000).pipe(map(() => [...printed].sort()))).toBe('4000ms (a|)', {
        a: ['t/0/0\t\tv0', 't/0/1\t\tv1', 't/0/2\t\tv2', 't/1/0\t\tv0', 't/1/1\t\tv1', 'u/0/0\t\tu0'],
      });
      ts.flush();
      expect(done.at).toBeGreaterThanOrEqual(5000);
      expect(logged.some((l) => l.startsWith('Rebalanced: RebalanceStart'))).toBe(true);
      expect(logged).toContain('Rebalanced: RebalanceOK generation=1 claimed={"t":[0,1],"u":[0]} released={} current={"t":[0,1],"u":[0]}');
      expect(cluster.committed('g')).toEqual({ 't/0': 3n, 't/1': 2n, 'u/0': 1n });
      expect(cluster.members('g')).toEqual([]);
    });
  });

  it('partition mode: one inner stream per claimed partition, each marked by its PartitionConsumer', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { t: 3 } });
      for (let p = 0; p < 3; p++) cluster.produce('t', p, values(p + 1));
      const printed: string[] = [];
      const logged: string[] = [];
      let completed = false;
      partitionMode({ brokers: ['in-memory:9092'], topics: ['t'], groupId: 'g', initial: 'oldest', stop$: timer(3000), print: (l) => printed.push(l.split('\t')[0] ?? l), log: (l) => logged.push(l), deps: onCluster(cluster, 'g') }).subscribe({ complete: () => (completed = true) });
      ts.flush();
      expect(completed).toBe(true);
      expect(printed.sort()).toEqual(['t/0/0', 't/1/0', 't/1/1', 't/2/0', 't/2/1', 't/2/2']);
      expect(logged.filter((l) => l.startsWith('claimed')).sort()).toEqual([
        't/0 (generation 1) from offset 0',
        't/1 (generation 1) from offset 0',
        't/2 (generation 1) from offset 0',
      ].map((s) => `claimed ${s}`));
      expect(cluster.committed('g')).toEqual({ 't/0': 1n, 't/1': 2n, 't/2': 3n });
    });
  });

  it('whitelist: consumes matching topics, new ones at the next refresh, never blacklisted ones', () => {
    const ts = virtualTime();
    ts.run(() => {
      const cluster = new InMemoryCluster({ topics: { 'myservice-a': 1, 'myservice-b': 1, other: 1 } });
      for (const t of ['myservice-a', 'myservice-b', 'other']) cluster.produce(t, 0, values(2, `${t}-`));
      const printed: string[] = [];
      whitelisted({ brokers: ['in-memory:9092'], groupId: 'g', whitelist: /myservice.*/, blacklist: /-b$/, initial: 'oldest', refreshInterval: 1000, stop$: timer(10_000), print: (l) => printed.push(l.split('\t')[0] ?? l), deps: onCluster(cluster, 'g') }).subscribe();
      timer(3000).subscribe(() => {
        cluster.createTopic('myservice-c', 1);
        cluster.produce('myservice-c', 0, values(1));
      });
      ts.flush();
      expect(printed.sort()).toEqual(['myservice-a/0/0', 'myservice-a/0/1', 'myservice-c/0/0']);
      expect(cluster.committed('g')).toEqual({ 'myservice-a/0': 2n, 'myservice-c/0': 1n });
    });
  });
});

describe('at-least-once example on the in-memory broker (real time: its handler is a Promise)', () => {
  it('handles every message with concurrency, out of order, and commits up to the end', async () => {
    const cluster = new InMemoryCluster({ topics: { t: 2 } });
    cluster.produce('t', 0, values(30));
    cluster.produce('t', 1, values(30));
    const handled = new Set<string>();
    let inFlight = 0;
    let maxInFlight = 0;
    const stop$ = new Subject<void>();
    const handler = async (m: { partition: number; offset: bigint }) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, Number(m.offset % 3n) * 3)); // finishes out of order
      inFlight--;
      handled.add(`${m.partition}/${m.offset}`);
      if (handled.size === 60) stop$.next();
    };
    await lastValueFrom(
      atLeastOnce({ brokers: ['in-memory:9092'], topics: ['t'], groupId: 'g', initial: 'oldest', handler, concurrency: 8, stop$, deps: onCluster(cluster, 'g') }),
      { defaultValue: undefined },
    );
    expect(handled.size).toBe(60);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(cluster.committed('g')).toEqual({ 't/0': 30n, 't/1': 30n });
  }, 20_000);
});
