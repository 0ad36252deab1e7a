// @ts-check
/**
 * Scenario 5: memory under a slow handler. A 1 GiB backlog (1M x 1 KiB, 6 partitions; quick: 256 MiB) and a handler
 * that waits 1 ms per message (~1,000 msg/s, about 100x below the fetch rate); each client runs 30 s from its first
 * message (quick: 5 s) and the process's peak RSS is reported. Only the clients built for it (slow handlers).
 */
module.exports = {
  id: 's5',
  title: 'Scenario 5: peak memory, 1 GiB backlog, handler 1 ms per message',
  kind: 'memory',
  partitions: 6,
  valueBytes: 1024,
  records: 1_048_576,
  quickRecords: 262_144,
  seconds: 30,
  quickSeconds: 5,
  handlerMs: 1,
};
