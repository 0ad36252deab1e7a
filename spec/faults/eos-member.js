// @ts-check
/**
 * One exactly-once member in its own process, for the fault suite's eos scenarios (so the test can SIGKILL it): it
 * consumes `topic` (read_committed) through `batches$` and turns the batches fetched in each 100 ms into one
 * transaction (`transactional`) writing every input's payload to `output` and committing their offsets with the
 * group's metadata (a transaction per fetched batch would be a transaction per few records here, slower than the
 * producer). It uses the BUILT library (dist/). Its transactional id is `${groupId}-${slot}`: a member restarted in
 * the same slot fences its predecessor. One JSON line per event, written synchronously (see member.js):
 *
 *   {"k":"m",…}                                  an input entered a transaction (not yet committed)
 *   {"k":"txn","t":…,"n":…,"offsets":[…]}       a transaction committed: n outputs, the offsets it committed
 *   {"k":"e",…} / {"k":"n",…}                    errors$ / notifications$
 *   {"k":"fatal",…} / {"k":"closed","t":…}       the pipeline failed / clean close done
 *
 * SIGTERM: no new batches are taken, the open transaction finishes, the group leaves, then exit 0. Settings come as
 * JSON in RXK_MEMBER: { brokers, groupId, topic, output, slot, out, member, strategy, groupProtocol, sessionTimeoutMs, transactionTimeoutMs }.
 */
const fs = require('node:fs');
const path = require('node:path');
const { bufferTime, concat, filter, ignoreElements, map, Subject, takeUntil, tap } = require('rxjs');
const dist = path.join(__dirname, '..', '..', 'dist');
const { createClient, transactional } = require(path.join(dist, 'index.js'));

/** @type {{ brokers: string[], groupId: string, topic: string, output: string, slot: string, out: string, member: string, strategy?: string, groupProtocol?: 'classic' | 'consumer', sessionTimeoutMs: number, transactionTimeoutMs: number }} */
const settings = JSON.parse(process.env.RXK_MEMBER || '{}');
const fd = fs.openSync(settings.out, 'a');
/** @param {Record<string, unknown>} line */
const record = (line) => fs.writeSync(fd, JSON.stringify({ ...line, t: Date.now() }) + '\n');

const client = createClient({
  brokers: settings.brokers,
  clientId: settings.member,
  retry: { max: 30, initialBackoff: 100, maxBackoff: 1000, requestTimeout: 5000, connectionTimeout: 2000 },
});
const group = client.consumerGroup({
  groupId: settings.groupId,
  topics: [settings.topic],
  groupProtocol: settings.groupProtocol ?? 'classic',
  group:
    settings.groupProtocol === 'consumer'
      ? { rebalance: { timeout: 20000, drainTimeout: 5000 }, topics: { refreshInterval: 1000 } }
      : { partitionStrategy: [settings.strategy ?? 'range'], session: { timeout: settings.sessionTimeoutMs }, heartbeat: { interval: 500 }, rebalance: { timeout: 20000, drainTimeout: 5000 }, topics: { refreshInterval: 1000 } },
  consumer: { isolationLevel: 'read_committed', offsets: { initial: 'oldest' }, fetch: { maxWait: 200 } },
});

group.errors$.subscribe((/** @type {import('../../src').KafkaClientError} */ e) =>
  record({ k: 'e', tag: e._tag, code: e.code, retriable: e.retriable, msg: e.message.slice(0, 300) }),
);
group.notifications$.subscribe((/** @type {import('../../src').GroupNotification} */ n) =>
  record({ k: 'n', type: n.type, gen: n.type === 'RebalanceOK' ? n.generationId : undefined, rp: n.type === 'RebalanceError' ? undefined : n.rebalanceProtocol }),
);

const stop$ = new Subject();
const transactions$ = group.batches$.pipe(
  takeUntil(stop$),
  tap((/** @type {import('../../src').MessageBatch} */ batch) => {
    for (const m of batch.messages) record({ k: 'm', topic: m.topic, p: m.partition, o: m.offset.toString(), id: m.value === null ? null : m.value.toString(), member: settings.member });
  }),
  bufferTime(100),
  filter((/** @type {import('../../src').MessageBatch[]} */ batches) => batches.length > 0),
  map((/** @type {import('../../src').MessageBatch[]} */ batches) => {
    const messages = batches.flatMap((b) => b.messages);
    return { records: messages.map((m) => ({ topic: settings.output, key: m.key, value: m.value })), consumed: messages };
  }),
  transactional(client, group, { transactionalId: `${settings.groupId}-${settings.slot}`, transactionTimeoutMs: settings.transactionTimeoutMs }),
);

concat(transactions$, group.close().pipe(ignoreElements()), client.close().pipe(ignoreElements())).subscribe({
  next: (/** @type {unknown} */ report) => {
    const r = /** @type {import('../../src').TransactionReport} */ (report);
    record({ k: 'txn', n: r.deliveries.length, offsets: r.offsets.map((o) => `${o.partition}@${o.offset}`), member: settings.member });
  },
  error: (/** @type {import('../../src').KafkaClientError} */ e) => {
    record({ k: 'fatal', tag: e._tag, code: e.code, msg: String(e.message).slice(0, 300) });
    process.exit(4);
  },
  complete: () => {
    record({ k: 'closed' });
    fs.closeSync(fd);
    process.exit(0);
  },
});

let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  setTimeout(() => {
    record({ k: 'close-timeout' });
    process.exit(3);
  }, 45000).unref();
  stop$.next(undefined);
});
record({ k: 'start', pid: process.pid, slot: settings.slot });
