import { lastValueFrom, Subscription } from 'rxjs';
import { consumerGroup, type ConsumerGroup, type KafkaClientError } from '../../../src';
import { brokers, uniqueName } from '../../support/names';

/** An unknown subscribed topic is reported once on errors$ (group-membership reads topic errors from Metadata). */
const fastGroup = { session: { timeout: 6000 }, heartbeat: { interval: 500 }, rebalance: { timeout: 15000, drainTimeout: 5000 } };

describe('an unknown subscribed topic on a real broker', () => {
  const groups: ConsumerGroup[] = [];
  const subs: Subscription[] = [];
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(groups.splice(0).map((g) => lastValueFrom(g.close(), { defaultValue: undefined })));
  });

  it('is reported on errors$ as UNKNOWN_TOPIC_OR_PARTITION naming the topic and the group, within 15 s; the member stays joined, waiting for it', async () => {
    const topic = uniqueName('missing');
    const groupId = uniqueName('missing-group');
    const group = consumerGroup({ brokers: brokers(), groupId, topics: [topic], group: fastGroup });
    groups.push(group);
    let timer: NodeJS.Timeout | undefined;
    const reported = new Promise<KafkaClientError>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no error reported within 15 s')), 15000);
      subs.push(group.errors$.subscribe((e) => e.context.topic === topic && resolve(e)));
    }).finally(() => clearTimeout(timer));
    subs.push(group.messages$.subscribe());
    const e = await reported;
    expect(e).toMatchObject({ _tag: 'KafkaProtocolError', code: 'UNKNOWN_TOPIC_OR_PARTITION', context: expect.objectContaining({ topic, group: groupId }) });
  });
});
