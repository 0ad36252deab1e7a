// @ts-check
/**
 * rx-kafka-cluster's `produce(client, options)` operator (from the runner's snapshot build), applied once to the
 * whole record stream, for the produce scenario. Two sources (bench/README.md, "Producing"):
 *   - bounded: records in chunks of `chunk`, at most `window` chunks not yet fully acknowledged; the next chunk is
 *     requested (a Subject of chunk numbers, `concatMap` to the chunk's records) when a chunk's last delivery report
 *     arrives, so at most chunk x window records sit in the operator at a time;
 *   - unbounded (no `chunk`): every record pushed synchronously into the operator on subscribe, as `from(array)`
 *     would; the operator's queue then holds the whole input.
 * Reports arrive in input order, so the report of record n x chunk - 1 closes chunk n.
 */
const path = require('node:path');
const { asapScheduler, concatMap, map, observeOn, range, Subject } = require('rxjs');
const { emit } = require('./common');
const { keyOf, valueOf } = require('./produce-common');

/**
 * @param {import('./common').Job & { keyBytes?: number }} job
 * @param {ReturnType<typeof import('./common').counter>} counter
 * @param {{ chunk?: number, window?: number }} source
 */
function produceWithOurs(job, counter, source) {
  const lib = require(path.join(/** @type {string} */ (job.peers.ours), 'index.js'));
  const client = lib.createClient({ brokers: job.brokers, clientId: 'bench-ours-produce' });
  const value = valueOf(job.valueBytes);
  const total = job.records;
  const toRecord = (/** @type {number} */ i) => ({ topic: job.topic, key: keyOf(i, job.keyBytes), value });
  const { chunk } = source;
  /** @type {import('rxjs').Observable<{ topic: string, key: Buffer, value: Buffer }>} */
  let records$;
  /** Called per report: requests the next chunk when one is complete. */
  let onReport = (/** @type {number} */ _acked) => undefined;
  /** Called once, after subscribing: lets the first chunks go. */
  let start = () => undefined;
  if (chunk) {
    const chunks = Math.ceil(total / chunk);
    /** @type {Subject<number>} */
    const requests = new Subject();
    let requested = 0;
    const request = () => {
      if (requested < chunks) requests.next(requested++);
      if (requested === chunks) requests.complete();
    };
    // observeOn(asap): a chunk requested from inside a delivery report is produced after that report's turn, not
    // re-entrantly inside it.
    records$ = requests.pipe(
      observeOn(asapScheduler),
      concatMap((c) => range(c * chunk, Math.min(chunk, total - c * chunk))),
      map(toRecord),
    );
    onReport = (acked) => {
      if (acked % chunk === 0) request();
      return undefined;
    };
    start = () => {
      for (let k = 0; k < (source.window ?? 1); k++) request();
      return undefined;
    };
  } else {
    records$ = range(0, total).pipe(map(toRecord));
  }
  let acked = 0;
  /** @type {Promise<void>} */
  const completed = new Promise((resolve) => {
    counter.assigned(); // the window opens at the first send
    const sub = records$.pipe(lib.produce(client, { lingerMs: 5 })).subscribe({
      next: () => {
        counter.onMessage(value.length, 0);
        onReport(++acked);
      },
      error: (/** @type {unknown} */ e) => {
        emit({ ...counter.result(), error: `produce: ${String(/** @type {any} */ (e)?.stack ?? e).slice(0, 500)}` });
        process.exit(1);
      },
      complete: () => resolve(),
    });
    start();
    void sub;
  });
  return async () => {
    await completed;
    await new Promise((resolve, reject) => client.close().subscribe({ complete: () => resolve(undefined), error: reject }));
  };
}

module.exports = { produceWithOurs };
