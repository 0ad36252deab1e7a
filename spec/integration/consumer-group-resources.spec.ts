import { lastValueFrom } from 'rxjs';
import { concatMap, take, tap } from 'rxjs/operators';
import { consumerGroup, markOffsets } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

/** Sockets and timers this process holds (Node's own view of what keeps it alive), counted by kind. */
const handles = () => {
  const all = process.getActiveResourcesInfo();
  return { sockets: all.filter((r) => r === 'TCPSocketWrap').length, timers: all.filter((r) => r === 'Timeout').length };
};

describe('consumer group resources on a real broker', () => {
  let kit: AdminKit;
  beforeAll(() => (kit = createAdminKit(brokers())));
  afterAll(() => kit.close());

  it('memory stays bounded: a handler far slower than fetching never holds more than the credit budget', async () => {
    const topic = uniqueName('bounded');
    await kit.createTopic(topic, 2);
    // A backlog of 30,000 records, produced in batches of 100 (so one fetched batch is at most 100 records).
    for (let i = 0; i < 300; i++) await kit.produce(topic, Array.from({ length: 100 }, (_, j) => ({ value: `v${i * 100 + j}`, partition: i % 2 })));
    const maxMessages = 500;
    const group = consumerGroup({ brokers: brokers(), groupId: uniqueName('bounded-group'), topics: [topic], consumer: { offsets: { initial: 'oldest' }, credit: { maxMessages, returnOn: 'mark' } } });
    let emitted = 0;
    let processed = 0;
    let maxHeld = 0;
    await lastValueFrom(
      group.messages$.pipe(
        tap(() => (maxHeld = Math.max(maxHeld, ++emitted - processed))),
        // ~0.5 ms of async work per message: far slower than a fetch delivers a batch.
        concatMap((m) => new Promise<typeof m>((r) => setTimeout(() => r(m), 0.5))),
        tap(() => processed++),
        take(3000),
        markOffsets(group),
      ),
      { defaultValue: undefined },
    );
    await lastValueFrom(group.close(), { defaultValue: undefined });
    // The budget: maxMessages per partition (a fetch beyond the credit is cut and re-fetched), 2 partitions.
    expect(maxHeld).toBeLessThanOrEqual(2 * maxMessages);
    expect(emitted).toBeLessThan(30_000); // the backlog was not pulled into memory
  });

  it('close releases every socket the group opened at once, and its timers within 2 s (kafkajs request queues end their last check)', async () => {
    const topic = uniqueName('handles');
    await kit.createTopic(topic, 3);
    await kit.produce(topic, Array.from({ length: 300 }, (_, i) => ({ value: `v${i}` })));
    const before = handles();
    const group = consumerGroup({ brokers: brokers(), groupId: uniqueName('handles-group'), topics: [topic], consumer: { offsets: { initial: 'oldest' } } });
    await lastValueFrom(group.messages$.pipe(take(300), markOffsets(group)), { defaultValue: undefined });
    expect(handles().sockets).toBeGreaterThan(before.sockets); // the group's connections are open until it closes
    await lastValueFrom(group.close(), { defaultValue: undefined });
    await lastValueFrom(group.close(), { defaultValue: undefined }); // idempotent
    // Nothing the group opened is left (other clients' timers may have ended meanwhile, hence at most).
    expect(handles().sockets).toBeLessThanOrEqual(before.sockets);
    const deadline = Date.now() + 2000;
    while (handles().timers > before.timers && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(handles().timers).toBeLessThanOrEqual(before.timers);
  });
});
