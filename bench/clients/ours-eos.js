// @ts-check
/**
 * `ours-eos` (scenario s8, consume-transform-produce exactly once): rx-kafka-cluster from the runner's snapshot
 * build. One `consumerGroup` member (classic protocol, isolationLevel read_committed, offsets.initial oldest) whose
 * `batches$` are cut into transactions of exactly `txnRecords` consumed messages (a `concatMap` that fills a buffer
 * across batches and emits it when full; the last one holds what is left when `records` is not a multiple), each
 * mapped to `{ records, consumed }` and run by `transactional(client, group, { transactionalId })` (defaults:
 * acks all, no compression; the operator has no linger or batch-size setting: a transaction's records for one
 * partition go out as one batch). Output record: the input's partition, key = the input offset in decimal ASCII,
 * value = the input value with a-z uppercased (a byte loop, as BenchEos.java does).
 *
 * `retryBackoffMs` in the job (the diagnostic client `ours-eos-backoff20` only) is passed to `transactional`.
 *
 * Window (bench/clients/common.js): `assigned()` at the first consumed message, `onMessage` per committed
 * record, so the window ends at the commit of the transaction holding the last input.
 */
const path = require('node:path');
const { concat, concatMap, ignoreElements, map, Subject, takeUntil } = require('rxjs');
const { main, emit } = require('./common');

/** @param {Buffer | null} v */
const upper = (v) => {
  if (!v) return Buffer.alloc(0);
  const out = Buffer.allocUnsafe(v.length);
  for (let i = 0; i < v.length; i++) {
    const b = /** @type {number} */ (v[i]);
    out[i] = b >= 97 && b <= 122 ? b - 32 : b;
  }
  return out;
};

main(async (job, counter) => {
  const j = /** @type {import('./common').Job & { outputTopic: string, transactionalId: string, txnRecords: number, retryBackoffMs?: number }} */ (job);
  const lib = require(path.join(/** @type {string} */ (j.peers.ours), 'index.js'));
  const client = lib.createClient({ brokers: j.brokers, clientId: 'bench-ours-eos' });
  const group = client.consumerGroup({ groupId: j.groupId, topics: [j.topic], consumer: { isolationLevel: 'read_committed', offsets: { initial: 'oldest' } } });
  const total = j.records;
  const size = j.txnRecords;
  /** @type {any[]} */
  let buffer = [];
  let seen = 0;
  /** One batch's messages into the open buffer; emits every buffer that became full (or holds the last input). @param {{ messages: readonly any[] }} batch */
  const cut = (batch) => {
    /** @type {any[][]} */
    const full = [];
    for (const m of batch.messages) {
      if (seen === 0) counter.assigned();
      buffer.push(m);
      seen++;
      if (buffer.length === size || seen === total) {
        full.push(buffer);
        buffer = [];
      }
    }
    return full;
  };
  const stop$ = new Subject();
  const transactions$ = group.batches$.pipe(
    takeUntil(stop$),
    concatMap(cut),
    map((/** @type {any[]} */ messages) => ({
      records: messages.map((m) => ({ topic: j.outputTopic, partition: m.partition, key: Buffer.from(String(m.offset)), value: upper(m.value) })),
      consumed: messages,
    })),
    lib.transactional(client, group, { transactionalId: j.transactionalId, ...(j.retryBackoffMs !== undefined ? { retryBackoffMs: j.retryBackoffMs } : {}) }),
  );
  /** @type {Promise<void>} */
  const finished = new Promise((resolve) => {
    concat(transactions$, group.close().pipe(ignoreElements()), client.close().pipe(ignoreElements())).subscribe({
      next: (/** @type {any} */ report) => {
        for (const d of /** @type {{ deliveries: readonly { record: { value: Buffer } }[] }} */ (report).deliveries) counter.onMessage(d.record.value.length, 0);
      },
      error: (/** @type {unknown} */ e) => {
        emit({ ...counter.result(), error: `transactional: ${String(/** @type {any} */ (e)?.stack ?? e).slice(0, 500)}` });
        process.exit(1);
      },
      complete: () => resolve(),
    });
  });
  return async () => {
    stop$.next(undefined);
    await finished;
  };
});
