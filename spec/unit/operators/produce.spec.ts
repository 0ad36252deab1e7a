import { from, lastValueFrom, Observable, Subject, tap, timer } from 'rxjs';
import { ConfigValidationError, createClient, KafkaClientError, produce, type DeliveryReport, type ProduceOptions, type ProducerRecord } from '../../../src';
import { InMemoryCluster, partitionForKey } from '../../../src/testing';
import { overriding, type ProducePartitionResult, type ProduceRequest, type Transport } from '../../../src/transport';
import { virtualTime } from '../../support/in-memory-group';

interface Run {
  reports: DeliveryReport[];
  error?: KafkaClientError;
  completedAt?: number;
  requests: { at: number; request: ProduceRequest }[];
}

/**
 * Runs `records$` through `produce` against an in-memory cluster in virtual time; `setup` may inject faults or
 * wrap the transport. Returns what came out and every Produce request sent.
 */
const run = (
  records: (cluster: InMemoryCluster) => Observable<ProducerRecord>,
  options: ProduceOptions<ProducerRecord> = {},
  setup: (cluster: InMemoryCluster) => void = () => undefined,
  wrap: (t: Transport) => Transport = (t) => t,
): Run & { cluster: InMemoryCluster } => {
  const ts = virtualTime();
  const out: Run = { reports: [], requests: [] };
  let cluster = new InMemoryCluster();
  ts.run(() => {
    cluster = new InMemoryCluster({ brokers: 3, topics: { t: 3 } });
    setup(cluster);
    const record = (t: Transport): Transport =>
      overriding(t, {
        produce: (r) => {
          out.requests.push({ at: ts.now(), request: r });
          return (t.produce as NonNullable<Transport['produce']>)(r);
        },
      });
    const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => wrap(record(cluster.transport())) });
    records(cluster)
      .pipe(produce(client, options))
      .subscribe({
        next: (r) => out.reports.push(r),
        error: (e: KafkaClientError) => (out.error = e),
        complete: () => (out.completedAt = ts.now()),
      });
    ts.flush();
  });
  return { ...out, cluster };
};

const values = (n: number, extra: Partial<ProducerRecord> = {}): ProducerRecord[] => Array.from({ length: n }, (_, i) => ({ topic: 't', value: `v${i}`, ...extra }));
const stored = (cluster: InMemoryCluster, partition: number) => cluster.records('t', partition).map((m) => m.value?.toString());

describe('produce (in-memory cluster, virtual time)', () => {
  it('emits one report per record in input order, each naming where its record was written', () => {
    const input = [...values(4, { partition: 1 }), ...values(3, { partition: 2 }), { topic: 't', value: 'last', partition: 1 }];
    const { reports, cluster, completedAt } = run(() => from(input));
    expect(reports.map((r) => r.record)).toEqual(input);
    expect(reports.map((r) => `${r.partition}@${r.offset}`)).toEqual(['1@0', '1@1', '1@2', '1@3', '2@0', '2@1', '2@2', '1@4']);
    expect(stored(cluster, 1)).toEqual(['v0', 'v1', 'v2', 'v3', 'last']);
    expect(completedAt).toBe(0);
  });

  it('partitions keyed records by murmur2 of the key, as the Java producer does', () => {
    const keys = ['a', 'b', 'c', 'order-17', 'order-18', 'zz'];
    const { reports } = run(() => from(keys.map((key) => ({ topic: 't', key, value: key }))));
    expect(reports.map((r) => r.partition)).toEqual(keys.map((k) => partitionForKey(k, 3)));
  });

  it('puts keyless records in one partition per batch (sticky), moving on once the batch is sent', () => {
    const src = new Subject<ProducerRecord>();
    const { reports } = run(() => src, { lingerMs: 10 }, () => {
      timer(0).subscribe(() => values(5).forEach((r) => src.next(r)));
      timer(50).subscribe(() => {
        values(5).forEach((r) => src.next(r));
        src.complete();
      });
    });
    const first = new Set(reports.slice(0, 5).map((r) => r.partition));
    const second = new Set(reports.slice(5).map((r) => r.partition));
    expect(first.size).toBe(1);
    expect(second.size).toBe(1);
    expect([...first][0]).not.toBe([...second][0]);
  });

  it('uses the given partitioner for records without a partition', () => {
    const { reports } = run(() => from(values(6)), { partitioner: (r, count) => Number(String(r.value).slice(1)) % count });
    expect(reports.map((r) => r.partition)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('lingers lingerMs for more records, then sends one batch per partition in one request per leader', () => {
    const src = new Subject<ProducerRecord>();
    const { requests, reports } = run(() => src, { lingerMs: 20 }, () => {
      timer(0).subscribe(() => values(3, { partition: 0 }).forEach((r) => src.next(r)));
      timer(10).subscribe(() => values(3, { partition: 0 }).forEach((r) => src.next(r)));
      timer(100).subscribe(() => src.complete());
    });
    expect(requests.map((r) => [r.at, r.request.partitions.length])).toEqual([[20, 1]]);
    expect(reports.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
  });

  it('sends a batch at once when it reaches batchBytes, without waiting for the linger', () => {
    const src = new Subject<ProducerRecord>();
    const { requests } = run(() => src, { lingerMs: 1000, batchBytes: 200 }, () => {
      timer(5).subscribe(() => values(20, { partition: 0, value: 'x'.repeat(50) }).forEach((r) => src.next(r)));
    });
    expect(requests[0]?.at).toBe(5);
    expect(requests.every((r) => (r.request.partitions[0]?.records.length ?? 0) < 400)).toBe(true);
  });

  it('flushes what is queued when its input completes, then completes', () => {
    const { requests, completedAt, reports } = run(() => from(values(3)), { lingerMs: 5000 });
    expect(requests[0]?.at).toBe(0);
    expect(reports).toHaveLength(3);
    expect(completedAt).toBe(0);
  });

  it('retries a retriable failure after the backoff and writes every record once', () => {
    const { reports, cluster, requests } = run(() => from(values(4, { partition: 0 })), { retryBackoffMs: 100 }, (c) => c.failNext('produce', 2, 'NOT_ENOUGH_REPLICAS'));
    expect(requests.map((r) => r.at)).toEqual([0, 100, 200]);
    expect(reports.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n]);
    expect(stored(cluster, 0)).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('follows a moved leader: NOT_LEADER_OR_FOLLOWER refreshes the metadata and the retry goes to the new leader', () => {
    let moved = false;
    const src = new Subject<ProducerRecord>();
    const { reports, cluster, requests } = run(() => src, {}, (c) => {
      timer(0).subscribe(() => src.next({ topic: 't', value: 'a', partition: 0 }));
      timer(100).subscribe(() => {
        c.moveLeader('t', 0, 2);
        moved = true;
        src.next({ topic: 't', value: 'b', partition: 0 });
        src.complete();
      });
    });
    expect(moved).toBe(true);
    expect(requests.map((r) => r.request.nodeId)).toEqual([0, 0, 2]);
    expect(reports.map((r) => r.offset)).toEqual([0n, 1n]);
    expect(stored(cluster, 0)).toEqual(['a', 'b']);
  });

  it('writes a batch once when its acknowledgement was lost and it is sent again (idempotence)', () => {
    let lose = 1;
    const { reports, cluster, requests } = run(
      () => from(values(3, { partition: 0 })),
      {},
      () => undefined,
      (t) =>
        overriding(t, {
          produce: (r) =>
            new Observable<readonly ProducePartitionResult[]>((subscriber) =>
              t.produce!(r).subscribe({
                next: (v) => (lose-- > 0 ? subscriber.error(new KafkaClientError({ tag: 'ConnectionError', retriable: true, message: 'dropped after write' })) : subscriber.next(v)),
                error: (e) => subscriber.error(e),
                complete: () => subscriber.complete(),
              }),
            ),
        }),
    );
    expect(requests).toHaveLength(2);
    expect(reports.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
    expect(stored(cluster, 0)).toEqual(['v0', 'v1', 'v2']);
    expect(cluster.highWatermark('t', 0)).toBe(3n);
  });

  it('errors with the broker error, naming topic and partition, after emitting the reports before the failed record', () => {
    const src = new Subject<ProducerRecord>();
    const { reports, error } = run(() => src, {}, (c) => {
      timer(0).subscribe(() => src.next({ topic: 't', value: 'ok', partition: 0 }));
      timer(10).subscribe(() => {
        c.failNext('produce', 1, 'MESSAGE_TOO_LARGE');
        src.next({ topic: 't', value: 'too big', partition: 1 });
      });
    });
    expect(reports.map((r) => r.record.value)).toEqual(['ok']);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(error?.code).toBe('MESSAGE_TOO_LARGE');
    expect(error?.context).toMatchObject({ topic: 't', partition: 1, api: 'Produce' });
  });

  it('fails a record its leader never acknowledges once deliveryTimeoutMs has passed', () => {
    const { error, reports } = run(() => from(values(1, { partition: 0 })), { deliveryTimeoutMs: 40_000, ackTimeoutMs: 30_000, retryBackoffMs: 1000 }, (c) => c.unreachable(true, 0));
    expect(reports).toEqual([]);
    expect(error?._tag).toBe('RequestTimeout');
    expect(error?.context).toMatchObject({ topic: 't', partition: 0 });
  });

  it('waits for a topic that does not exist yet, and fails after deliveryTimeoutMs if it never appears', () => {
    const appears = run(() => from([{ topic: 'later', value: 'x' }]), { retryBackoffMs: 100 }, (c) => timer(550).subscribe(() => c.createTopic('later', 1)));
    expect(appears.reports.map((r) => r.topic)).toEqual(['later']);
    const never = run(() => from([{ topic: 'never', value: 'x' }]), { deliveryTimeoutMs: 35_000 });
    expect(never.error?._tag).toBe('RequestTimeout');
    expect(never.error?.message).toContain('never');
  });

  it('keeps at most maxInFlightBytes on the wire', () => {
    const src = from(values(30, { value: 'x'.repeat(100), partition: undefined }).map((r, i) => ({ ...r, partition: i % 3 })));
    let inFlight = 0;
    let peak = 0;
    const { reports } = run(() => src, { maxInFlightBytes: 300, lingerMs: 0 }, (c) => c.setLatency(10), (t) =>
      overriding(t, {
        produce: (r) => {
          const bytes = r.partitions.reduce((n, p) => n + p.records.length, 0);
          inFlight += bytes;
          peak = Math.max(peak, inFlight);
          return t.produce!(r).pipe(tap(() => (inFlight -= bytes)));
        },
      }),
    );
    expect(reports).toHaveLength(30);
    expect(peak).toBeLessThanOrEqual(300 + 3 * 61);
  });

  it('compresses batches with gzip when asked, and the records read back unchanged', () => {
    const { cluster, reports } = run(() => from(values(5, { partition: 0 })), { compression: 'gzip' });
    expect(reports).toHaveLength(5);
    expect(stored(cluster, 0)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('with acks 0 reports offset -1n (unknown) and still writes the records', () => {
    const { reports, cluster } = run(() => from(values(2, { partition: 0 })), { acks: 0, idempotent: false });
    expect(reports.map((r) => r.offset)).toEqual([-1n, -1n]);
    expect(stored(cluster, 0)).toEqual(['v0', 'v1']);
  });

  it('reports the record timestamp it was given, else the time it arrived', () => {
    const src = new Subject<ProducerRecord>();
    const { reports } = run(() => src, {}, () => timer(70).subscribe(() => (src.next({ topic: 't', value: 'a', partition: 0, timestamp: 5 }), src.next({ topic: 't', value: 'b', partition: 0 }), src.complete())));
    expect(reports.map((r) => r.timestamp)).toEqual([5, 70]);
  });

  it('fails with a UsageError naming the topic for a partition out of range or a record without a topic', () => {
    expect(run(() => from([{ topic: 't', value: 'x', partition: 7 }])).error).toMatchObject({ _tag: 'UsageError', context: { topic: 't', partition: 7 } });
    expect(run(() => from([{ topic: '', value: 'x' }])).error?._tag).toBe('UsageError');
  });

  it('refuses invalid options at once with a ConfigValidationError listing each issue', () => {
    const client = createClient({ brokers: ['in-memory:9092'] });
    let error: unknown;
    try {
      produce(client, { acks: 1, lingerMs: -1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues.map((i) => i.path).sort()).toEqual(['acks', 'lingerMs']);
  });

  it('passes its input’s error on', async () => {
    const cluster = new InMemoryCluster({ topics: { t: 1 } });
    const client = createClient({ brokers: ['in-memory:9092'] }, { createTransport: () => cluster.transport() });
    const failing = new Subject<ProducerRecord>();
    const done = lastValueFrom(failing.pipe(produce(client)), { defaultValue: undefined });
    failing.error(new Error('upstream'));
    await expect(done).rejects.toThrow('upstream');
  });
});
