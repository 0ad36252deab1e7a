import { firstValueFrom, lastValueFrom, Subscription } from 'rxjs';
import { tap } from 'rxjs/operators';
import { consumerGroup, markOffsets, type ConsumerGroup } from '../../src';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

describe('pattern subscriptions on a real broker', () => {
  let kit: AdminKit;
  let group: ConsumerGroup | undefined;
  let sub: Subscription | undefined;
  beforeAll(() => (kit = createAdminKit(brokers())));
  afterEach(async () => {
    sub?.unsubscribe();
    if (group) await lastValueFrom(group.close(), { defaultValue: undefined });
  });
  afterAll(() => kit.close());

  it('a topic created while consuming that matches the whitelist joins; a blacklisted one never does', async () => {
    const prefix = uniqueName('pat');
    await kit.createTopic(`${prefix}-a`, 1);
    await kit.produce(`${prefix}-a`, [{ value: 'a0' }]);
    const g = consumerGroup({
      brokers: brokers(),
      groupId: uniqueName('pat-group'),
      whitelist: new RegExp(`^${prefix}-`),
      blacklist: /-secret$/,
      group: { topics: { refreshInterval: 300 }, heartbeat: { interval: 300 }, session: { timeout: 6000 } },
      consumer: { offsets: { initial: 'oldest', commitInterval: 200 } },
    });
    group = g;
    const seen: string[] = [];
    let notify: (() => void) | undefined;
    sub = g.messages$
      .pipe(
        tap((m) => {
          seen.push(`${m.topic}:${m.value?.toString()}`);
          notify?.();
        }),
        markOffsets(g),
      )
      .subscribe();
    const until = (test: () => boolean) => new Promise<void>((resolve) => (test() ? resolve() : (notify = () => test() && resolve())));
    await until(() => seen.includes(`${prefix}-a:a0`));
    await kit.createTopic(`${prefix}-secret`, 1);
    await kit.produce(`${prefix}-secret`, [{ value: 's0' }]);
    await kit.createTopic(`${prefix}-b`, 2);
    await kit.produce(`${prefix}-b`, [{ value: 'b0', partition: 0 }, { value: 'b1', partition: 1 }]);
    await until(() => seen.includes(`${prefix}-b:b0`) && seen.includes(`${prefix}-b:b1`));
    const current = await firstValueFrom(g.generations$); // the generation held now
    expect(Object.keys(current.current).sort()).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(seen.some((s) => s.startsWith(`${prefix}-secret`))).toBe(false);
  });
});
