// @ts-check
/**
 * `ours-produce`: rx-kafka-cluster `produce(client, { lingerMs: 5 })` (idempotent, acks all, batchBytes 1 MiB and
 * maxInFlightBytes 32 MiB by default) on a bounded RxJS source: chunks of 10,000 records, the next chunk once the previous
 * chunk's delivery reports have all arrived (WINDOW 1: one chunk outstanding; bench/clients/ours-produce-common.js).
 * Window 2 and 4 were tried too (bench/README.md, "Producing").
 */
const { main } = require('./common');
const { produceWithOurs } = require('./ours-produce-common');

const CHUNK = 10_000;
const WINDOW = 1;

main(async (job, counter) => produceWithOurs(job, counter, { chunk: CHUNK, window: WINDOW }));
