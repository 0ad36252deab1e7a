// @ts-check
/** rx-kafka-cluster from the runner's snapshot build (bench/.peers/ours/dist): a group for the job. */
const path = require('node:path');

/**
 * A consumer group reading the job's topic from the oldest offset; the counter learns when partitions are assigned.
 * Returns the library's exports too, and `close()` (resolves when the group has left).
 * @param {import('./common').Job} job @param {ReturnType<typeof import('./common').counter>} counter
 * @param {Record<string, unknown>} [extra] more group config
 */
function oursGroup(job, counter, extra = {}) {
  const lib = require(path.join(job.peers.ours, 'index.js'));
  const group = lib.consumerGroup({ brokers: job.brokers, groupId: job.groupId, topics: [job.topic], consumer: { offsets: { initial: 'oldest' } }, ...extra });
  const notes = group.notifications$.subscribe((/** @type {any} */ n) => n.type === 'RebalanceOK' && counter.assigned());
  const close = () =>
    new Promise((resolve, reject) =>
      group.close().subscribe({
        complete: () => {
          notes.unsubscribe();
          resolve(undefined);
        },
        error: reject,
      }),
    );
  return { lib, group, close };
}

module.exports = { oursGroup };
