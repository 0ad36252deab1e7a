import { firstValueFrom, lastValueFrom } from 'rxjs';
import { createKafkajsTransport } from '../../src/transport/kafkajs';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import type { Transport } from '../../src/transport/port';
import { brokers, uniqueName } from '../support/names';
import { describeTransportContract } from '../support/transport-contract';

/** The kafkajs adapter on the real broker; records are produced with kafkajs's own producer (the admin kit). */
const kit = createAdminKit(brokers());
const transports: Transport[] = [];

describeTransportContract('kafkajs adapter on the real broker', {
  transport: (clientId) => {
    const t = createKafkajsTransport({ brokers: brokers(), clientId, connectionTimeout: 3000, requestTimeout: 10000, retry: { max: 2, initialBackoff: 100, maxBackoff: 400 } });
    transports.push(t);
    return t;
  },
  createTopic: (topic, partitions) => kit.createTopic(topic, partitions),
  produce: (topic, partition, records) => kit.produce(topic, records.map((r) => ({ key: r.key ?? null, value: r.value, partition }))),
  run: (work) => firstValueFrom(work),
  unique: uniqueName,
  cleanup: async () => {
    await Promise.all(transports.map((t) => lastValueFrom(t.close())));
    await kit.close();
  },
});
