import { lastValueFrom } from 'rxjs';
import { take } from 'rxjs/operators';
import { createClient, markOffsets, type KafkaClientError } from '../../src';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

describe('a client reused by consumers on a real broker', () => {
  it('serves one consumer at a time, the next after the first closed, and closing it closes its connections', async () => {
    const kit = createAdminKit(brokers());
    const topic = uniqueName('client');
    try {
      await kit.createTopic(topic, 2);
      await kit.produce(topic, Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })));
      const before = sockets();
      const client = createClient({ brokers: brokers(), clientId: uniqueName('reused') });
      const config = { topics: [topic], consumer: { offsets: { initial: 'oldest' as const } } };
      const first = client.consumerGroup({ groupId: uniqueName('first'), ...config });
      const consumed = lastValueFrom(first.messages$.pipe(take(10), markOffsets(first)), { defaultValue: undefined });
      const second = client.consumerGroup({ groupId: uniqueName('second'), ...config });
      const refused = await lastValueFrom(second.messages$).catch((e: KafkaClientError) => e);
      expect((refused as KafkaClientError)._tag).toBe('ClientInUse');
      await consumed;
      await lastValueFrom(first.close(), { defaultValue: undefined });
      const third = client.consumerGroup({ groupId: uniqueName('third'), ...config });
      const again = await lastValueFrom(third.messages$.pipe(take(10)), { defaultValue: undefined });
      expect(again?.topic).toBe(topic);
      await lastValueFrom(third.close(), { defaultValue: undefined });
      expect(sockets()).toBeGreaterThan(before); // the client still holds its connections between consumers
      await lastValueFrom(client.close(), { defaultValue: undefined });
      expect(sockets()).toBeLessThanOrEqual(before);
    } finally {
      await kit.close();
    }
  });
});
