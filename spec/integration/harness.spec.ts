import { consumeWithKafkajs, createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

describe('the real-broker harness', () => {
  it('creates a topic, produces 1,000 messages and reads all 1,000 back with a kafkajs consumer', async () => {
    const kit = createAdminKit(brokers());
    const topic = uniqueName('harness');
    try {
      await kit.createTopic(topic, 3);
      await kit.produce(topic, Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
      const seen = await consumeWithKafkajs(brokers(), topic, uniqueName('harness-group'), 1000);
      expect(new Set(seen).size).toBe(1000);
      const ends = await kit.endOffsets(topic);
      expect([...ends.values()].reduce((a, b) => a + b, 0n)).toBe(1000n);
    } finally {
      await kit.close();
    }
  });
});
