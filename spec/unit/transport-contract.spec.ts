import { VirtualTimeScheduler, firstValueFrom } from 'rxjs';
import { InMemoryCluster } from '../../src/testing';
import { describeTransportContract } from '../support/transport-contract';

/**
 * The in-memory broker on a VirtualTimeScheduler at zero latency. Virtual time never advances: `run` executes
 * what is due now, so a request that waits (a parked JoinGroup) settles when a later `run` releases it.
 */
const scheduler = new VirtualTimeScheduler();
const cluster = new InMemoryCluster({ scheduler });
let names = 0;

const drive = (): void => {
  scheduler.maxFrames = scheduler.now();
  scheduler.flush();
};

describeTransportContract('in-memory broker', {
  transport: (clientId) => cluster.transport({ clientId }),
  createTopic: async (topic, partitions) => {
    cluster.createTopic(topic, partitions);
  },
  produce: async (topic, partition, records) => {
    cluster.produce(topic, partition, records);
  },
  run: (work) => {
    const result = firstValueFrom(work);
    drive();
    return result;
  },
  unique: (prefix) => `${prefix}-${++names}`,
  cleanup: async () => undefined,
});
