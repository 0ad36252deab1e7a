import { combineLatest, filter, firstValueFrom } from 'rxjs';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { compileInterop, startJavaConsumer, type JavaAssigned, type JavaConsumer } from '../support/java-consumer';
import { brokers, uniqueName } from '../support/names';

const ids = (a: JavaAssigned): string[] => a.partitions.map((p) => `${p.topic}/${p.partition}`);

describe('the Java interop consumer driver', () => {
  it('two Java consumers (range) share one group: same generation, 6 partitions covered exactly once, clean exit', async () => {
    const t0 = Date.now();
    await compileInterop();
    const compileMs = Date.now() - t0;
    const topic = uniqueName('java-smoke');
    const kit = createAdminKit(brokers());
    const consumers: JavaConsumer[] = [];
    try {
      await kit.createTopic(topic, 6);
      const groupId = uniqueName('java-smoke-group');
      const t1 = Date.now();
      const start = (): JavaConsumer => startJavaConsumer({ brokers: brokers(), groupId, topics: [topic], strategy: 'range' });
      const [c1, c2] = [start(), start()];
      consumers.push(c1, c2);
      const [a, b] = await firstValueFrom(
        combineLatest([c1.assignments, c2.assignments]).pipe(
          filter(([x, y]) => x.generation === y.generation && x.memberId !== y.memberId && x.partitions.length + y.partitions.length === 6),
        ),
      );
      process.stderr.write(`[java-interop-smoke] compile ${compileMs} ms, join ${Date.now() - t1} ms (generation ${a.generation})\n`);
      const all = [...ids(a), ...ids(b)].sort();
      expect(all).toEqual(Array.from({ length: 6 }, (_, p) => `${topic}/${p}`).sort());
      expect(a.partitions).toHaveLength(3); // range over 6 partitions, 2 members
      expect(await Promise.all(consumers.map((c) => c.stop()))).toEqual([0, 0]);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
      await kit.deleteTopic(topic).catch(() => undefined);
      await kit.close();
    }
  });
});
