import { Observable, Subscription, type SchedulerLike } from 'rxjs';
import type { ProducerOptions } from '../config/producer';
import { hasCode, KafkaClientError, toKafkaClientError, type ErrorContext } from '../errors';
import type { DeliveryReport, ProducerRecord } from '../protocol/message';
import { DefaultPartitioner } from '../protocol/partitioner';
import { ProduceAccumulator, type Batch } from '../protocol/produce-accumulator';
import type { PartitionMetadata, ProducePartitionResult, ProducerIdentity, Transport } from '../transport';
import { encodeBatches } from './encode-batches';

/** Picks a partition for a record without one: its topic's partition count in, a partition in [0, count) out. */
export type RecordPartitioner<R extends ProducerRecord> = (record: R, partitionCount: number) => number;

export interface ProducerSessionOutput<R extends ProducerRecord> {
  next(report: DeliveryReport<R>): void;
  error(error: KafkaClientError): void;
  complete(): void;
}

interface Stamped<R extends ProducerRecord> {
  readonly record: R;
  readonly key: Buffer | null;
  readonly timestamp: number;
  readonly arrivedAt: number;
}

/** Bytes a record adds to a batch, roughly (the varint framing is a few bytes). */
const sizeOf = (r: ProducerRecord, key: Buffer | null): number => {
  let bytes = 24 + (key?.length ?? 0) + (r.value === null ? 0 : Buffer.byteLength(r.value));
  for (const [k, v] of Object.entries(r.headers ?? {})) bytes += 4 + Buffer.byteLength(k) + Buffer.byteLength(v);
  return bytes;
};

const toKey = (key: Buffer | string | null | undefined): Buffer | null =>
  key === null || key === undefined ? null : typeof key === 'string' ? Buffer.from(key, 'utf8') : key;

/** Errors after which the partition's leader may have moved: the metadata is refreshed before the retry. */
const LEADERSHIP = ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH'] as const;

/**
 * One `produce` subscription's producer: partitions records, batches them per partition (the accumulator), gets
 * an idempotent producer id, sends each leader its batches, retries what may be retried until the delivery
 * timeout, and reports outcomes in input order. Time comes from `scheduler`; every request goes through `transport`.
 */
export class ProducerSession<R extends ProducerRecord> {
  private readonly accumulator: ProduceAccumulator<Stamped<R>, KafkaClientError>;
  private readonly defaultPartitioner = new DefaultPartitioner();
  /** Records whose topic has no metadata yet, in input order (records behind them wait too). */
  private readonly held: Stamped<R>[] = [];
  private readonly topics = new Map<string, readonly PartitionMetadata[]>();
  private readonly subscriptions = new Subscription();
  private identity: ProducerIdentity | undefined;
  private initializing = false;
  private metadataLoading = false;
  private metadataStale = false;
  private metadataNotBefore = 0;
  private inFlightBytes = 0;
  private timer: { readonly at: number; readonly subscription: Subscription } | undefined;
  private ended = false;
  private done = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: ProducerOptions,
    private readonly scheduler: SchedulerLike,
    private readonly out: ProducerSessionOutput<R>,
    private readonly partitioner?: RecordPartitioner<R>,
  ) {
    this.accumulator = new ProduceAccumulator({ batchBytes: options.batchBytes, lingerMs: options.lingerMs });
  }

  add(record: R): void {
    if (this.done) return;
    const invalid = invalidRecord(record);
    if (invalid) return this.fail(invalid);
    const now = this.scheduler.now();
    this.held.push({ record, key: toKey(record.key), timestamp: record.timestamp ?? now, arrivedAt: now });
    this.pump();
  }

  /** The input completed: everything queued is sent at once, then the output completes. */
  end(): void {
    this.ended = true;
    this.accumulator.flush();
    this.pump();
  }

  /** Unsubscribed: requests in flight are abandoned. */
  close(): void {
    this.done = true;
    this.subscriptions.unsubscribe();
  }

  private pump(): void {
    if (this.done) return;
    const now = this.scheduler.now();
    this.place(now);
    if (this.metadataStale) this.loadMetadata();
    this.expire(now);
    if (this.options.idempotent && !this.identity) this.initProducerId();
    else this.send(this.scheduler.now());
    this.emit();
    this.arm();
  }

  /** Moves held records into the accumulator, in order, while their topic's partitions are known. */
  private place(now: number): void {
    // Taken from the front by index, removed in one splice: a large backlog stays linear.
    let taken = 0;
    try {
      while (taken < this.held.length && !this.done) {
        const s = this.held[taken] as Stamped<R>;
        const partitions = this.topics.get(s.record.topic);
        if (!partitions || this.metadataStale) {
          this.loadMetadata();
          if (!partitions) return;
        }
        const count = partitions.length;
        const partition = s.record.partition ?? (this.partitioner ? this.partitioner(s.record, count) : this.defaultPartitioner.partition(s.record.topic, s.key, count));
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
          return this.fail(
            new KafkaClientError({
              tag: 'UsageError',
              message: `Partition ${partition} is not in the range [0...${count}) of topic ${s.record.topic}`,
              context: { topic: s.record.topic, partition },
            }),
          );
        }
        taken++;
        this.accumulator.append(s.record.topic, partition, s, sizeOf(s.record, s.key), now);
      }
    } finally {
      this.held.splice(0, taken);
    }
  }

  /** Fails what waited longer than the delivery timeout without being sent. */
  private expire(now: number): void {
    const deadline = now - this.options.deliveryTimeoutMs;
    const first = this.held[0];
    if (first && first.arrivedAt <= deadline) {
      const topic = first.record.topic;
      return this.fail(new KafkaClientError({ tag: 'RequestTimeout', message: `Topic ${topic} not present in metadata after ${this.options.deliveryTimeoutMs} ms`, context: { topic } }));
    }
    for (const w of this.accumulator.waiting()) {
      if (w.oldestQueuedAt > deadline) continue;
      this.accumulator.expire(w.topic, w.partition, deliveryTimeout(w.topic, w.partition, this.options.deliveryTimeoutMs));
    }
  }

  private send(now: number): void {
    const byNode = new Map<number, Batch<Stamped<R>>[]>();
    for (const batch of this.accumulator.drain(now, this.options.maxInFlightBytes, this.inFlightBytes)) {
      this.defaultPartitioner.batchSent(batch.topic, batch.partition);
      const leader = this.topics.get(batch.topic)?.[batch.partition]?.leader ?? -1;
      if (leader < 0) {
        this.metadataStale = true;
        this.accumulator.retry(batch, now + this.options.retryBackoffMs);
        continue;
      }
      this.inFlightBytes += batch.bytes;
      byNode.set(leader, [...(byNode.get(leader) ?? []), batch]);
    }
    for (const [nodeId, batches] of byNode) this.sendTo(nodeId, batches);
  }

  private sendTo(nodeId: number, batches: readonly Batch<Stamped<R>>[]): void {
    const produce = this.transport.produce?.bind(this.transport);
    if (!produce) return this.fail(new KafkaClientError({ tag: 'UsageError', message: 'This transport cannot produce' }));
    const settle = (batch: Batch<Stamped<R>>, result: ProducePartitionResult | KafkaClientError): void => {
      this.inFlightBytes -= batch.bytes;
      if (result instanceof KafkaClientError || result.error) this.failed(batch, result instanceof KafkaClientError ? result : (result.error as KafkaClientError));
      else this.accumulator.acknowledge(batch, result.baseOffset, result.logAppendTime);
    };
    const subscription = new Subscription();
    this.subscriptions.add(subscription);
    subscription.add(
      this.encode(batches).subscribe({
        next: (encoded) =>
          subscription.add(
            produce({
              nodeId,
              acks: this.options.acks,
              timeoutMs: this.options.ackTimeoutMs,
              partitions: batches.map((b, i) => ({ topic: b.topic, partition: b.partition, records: encoded[i] as Buffer })),
            }).subscribe({
              next: (results) => {
                for (const batch of batches) {
                  const result = results.find((r) => r.topic === batch.topic && r.partition === batch.partition);
                  settle(batch, result ?? new KafkaClientError({ tag: 'Unexpected', message: 'The broker did not answer for this partition', context: batchContext(batch) }));
                }
                this.pump();
              },
              error: (e: unknown) => {
                for (const batch of batches) settle(batch, toKafkaClientError(e, { broker: String(nodeId), api: 'Produce' }));
                this.pump();
              },
            }),
          ),
        error: (e: unknown) => {
          this.inFlightBytes -= batches.reduce((n, b) => n + b.bytes, 0);
          this.fail(toKafkaClientError(e, batchContext(batches[0])));
        },
      }),
    );
  }

  /** A batch's error: retried after the backoff while the delivery timeout allows and it is retriable. */
  private failed(batch: Batch<Stamped<R>>, error: KafkaClientError): void {
    const context = { ...batchContext(batch), ...error.context };
    if (hasCode(error, 'DUPLICATE_SEQUENCE_NUMBER')) return this.accumulator.acknowledge(batch, -1n, -1n);
    const now = this.scheduler.now();
    const retryAt = now + this.options.retryBackoffMs;
    if (!error.retriable) return this.accumulator.fail(batch, error.withContext(context));
    if (retryAt - batch.queuedAt >= this.options.deliveryTimeoutMs) {
      return this.accumulator.fail(batch, new KafkaClientError({ ...deliveryTimeoutFields(batch.topic, batch.partition, this.options.deliveryTimeoutMs), cause: error, context }));
    }
    if (error._tag === 'ConnectionError' || hasCode(error, ...LEADERSHIP)) this.metadataStale = true;
    this.accumulator.retry(batch, retryAt);
  }

  /** Each batch's bytes, framed with this producer's identity. */
  private encode(batches: readonly Batch<Stamped<R>>[]): Observable<Buffer[]> {
    const toEncode = batches.map((b) => ({
      baseSequence: b.baseSequence,
      records: b.records.map((q) => ({ key: q.record.key, value: q.record.record.value, headers: q.record.record.headers, timestamp: q.record.timestamp })),
    }));
    return encodeBatches(toEncode, this.options.compression, this.transport, this.identity);
  }

  private initProducerId(): void {
    if (this.initializing) return;
    const init = this.transport.initProducerId?.bind(this.transport);
    if (!init) return this.fail(new KafkaClientError({ tag: 'UsageError', message: 'This transport cannot give a producer id (idempotent: false to produce without one)' }));
    this.initializing = true;
    this.subscriptions.add(
      init({ transactionTimeoutMs: 60_000 }).subscribe({
        next: (identity) => {
          this.identity = identity;
          this.initializing = false;
          this.pump();
        },
        error: (e: unknown) => {
          const error = toKafkaClientError(e, { api: 'InitProducerId' });
          if (!error.retriable) return this.fail(error);
          this.subscriptions.add(
            this.scheduler.schedule(() => {
              this.initializing = false;
              this.pump();
            }, this.options.retryBackoffMs),
          );
        },
      }),
    );
  }

  private loadMetadata(): void {
    if (this.metadataLoading || this.scheduler.now() < this.metadataNotBefore) return;
    const topics = [...new Set([...this.topics.keys(), ...this.held.map((s) => s.record.topic)])];
    this.metadataLoading = true;
    this.metadataStale = false;
    const retryLater = () => {
      this.metadataNotBefore = this.scheduler.now() + this.options.retryBackoffMs;
      this.metadataLoading = false;
    };
    this.subscriptions.add(
      this.transport.metadata({ topics }).subscribe({
        next: (metadata) => {
          let missing = false;
          for (const t of metadata.topics) {
            if (t.error && !t.error.retriable) return this.fail(t.error.withContext({ topic: t.topic }));
            if (t.error || t.partitions.length === 0) missing = true;
            else this.topics.set(t.topic, [...t.partitions].sort((a, b) => a.partition - b.partition));
          }
          if (missing) retryLater();
          else this.metadataLoading = false;
          this.pump();
        },
        error: (e: unknown) => {
          const error = toKafkaClientError(e, { api: 'Metadata' });
          if (!error.retriable) return this.fail(error);
          retryLater();
          this.metadataStale = true;
          this.pump();
        },
      }),
    );
  }

  /** Hands out the outcomes known at the head of input order; the first failure ends the output. */
  private emit(): void {
    for (const outcome of this.accumulator.takeOutcomes()) {
      if (this.done) return;
      if (!outcome.ok) return this.fail(outcome.error);
      const { delivered } = outcome;
      this.out.next({
        topic: delivered.topic,
        partition: delivered.partition,
        offset: delivered.offset,
        timestamp: delivered.logAppendTime >= 0n ? Number(delivered.logAppendTime) : delivered.record.timestamp,
        record: delivered.record.record,
      });
    }
    if (this.ended && !this.done && this.held.length === 0 && this.accumulator.pending === 0) {
      this.close();
      this.out.complete();
    }
  }

  /**
   * Wakes the session when the next lingering batch, retry or metadata retry falls due. What is due already but
   * waits (for the producer id, the in-flight budget, a metadata answer) is woken by that answer instead.
   */
  private arm(): void {
    if (this.done) return;
    const now = this.scheduler.now();
    const ready = this.identity || !this.options.idempotent ? this.accumulator.nextReadyAt() : undefined;
    const wake: number[] = [];
    if (ready !== undefined && ready > now) wake.push(ready);
    // Already due but not sent: with nothing in flight no answer will wake the session, so it wakes itself now.
    else if (ready !== undefined && this.inFlightBytes === 0) wake.push(now);
    if (this.held.length > 0 && !this.metadataLoading && this.metadataNotBefore > now) wake.push(this.metadataNotBefore);
    const at = Math.min(...wake);
    if (!Number.isFinite(at) || (this.timer && this.timer.at <= at)) return;
    this.timer?.subscription.unsubscribe();
    const subscription = this.scheduler.schedule(() => {
      this.timer = undefined;
      this.pump();
    }, at - now);
    this.timer = { at, subscription };
    this.subscriptions.add(subscription);
  }

  private fail(error: KafkaClientError): void {
    if (this.done) return;
    this.close();
    this.out.error(error);
  }
}

const batchContext = (batch: Batch<unknown> | undefined): ErrorContext => (batch ? { topic: batch.topic, partition: batch.partition, api: 'Produce' } : { api: 'Produce' });

const deliveryTimeoutFields = (topic: string, partition: number, ms: number) =>
  ({ tag: 'RequestTimeout', retriable: false, message: `Records for ${topic}-${partition} were not acknowledged within the delivery timeout (${ms} ms)` }) as const;

const deliveryTimeout = (topic: string, partition: number, ms: number): KafkaClientError =>
  new KafkaClientError({ ...deliveryTimeoutFields(topic, partition, ms), context: { topic, partition, api: 'Produce' } });

/** A record the producer cannot take, as a UsageError naming what is wrong; undefined when it is fine. */
const invalidRecord = (record: ProducerRecord): KafkaClientError | undefined => {
  const problem =
    typeof record !== 'object' || record === null
      ? 'a record must be an object'
      : typeof record.topic !== 'string' || record.topic === ''
        ? 'a record needs a topic'
        : record.value !== null && typeof record.value !== 'string' && !Buffer.isBuffer(record.value)
          ? 'a record value must be a Buffer, a string or null'
          : record.partition !== undefined && (!Number.isInteger(record.partition) || record.partition < 0)
            ? `partition must be a non-negative integer (got ${String(record.partition)})`
            : undefined;
  return problem ? new KafkaClientError({ tag: 'UsageError', message: `Cannot produce this record: ${problem}`, context: { topic: typeof record?.topic === 'string' ? record.topic : undefined } }) : undefined;
};
