import { combineLatest, filter, firstValueFrom } from 'rxjs';
import type { Generation } from '../../src';
import { range, roundrobin, type AssignmentStrategy } from '../../src/strategies';
import { createKafkajsTransport } from '../../src/transport/kafkajs';
import { createAdminKit, type AdminKit } from '../../src/transport/kafkajs/admin-kit';
import type { Transport } from '../../src/transport';
import { startJavaConsumer, type JavaAssigned, type JavaConsumer } from '../support/java-consumer';
import { membershipDefaults, startTestMember, type TestMember } from '../support/membership-fixture';
import { brokers, uniqueName } from '../support/names';

const asIds = (a: Readonly<Record<string, readonly number[]>>) => Object.entries(a).flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`)).sort();
const javaIds = (a: JavaAssigned) => a.partitions.map((p) => `${p.topic}/${p.partition}`).sort();

describe.each<[string, AssignmentStrategy]>([
  ['range', range],
  ['roundrobin', roundrobin],
])('a group of two rx-kafka-cluster members and one Java KafkaConsumer (%s)', (name, strategy) => {
  let kit: AdminKit;
  const transports: Transport[] = [];
  const ours: TestMember[] = [];
  const java: JavaConsumer[] = [];
  beforeAll(() => (kit = createAdminKit(brokers())));
  afterEach(async () => {
    await Promise.all(java.splice(0).map((j) => j.stop()));
    await Promise.all(ours.splice(0).map((m) => m.stop()));
    await Promise.all(transports.splice(0).map((t) => firstValueFrom(t.close(), { defaultValue: undefined })));
  });
  afterAll(() => kit.close());

  it.each(['java', 'ours'])(`shares one generation; every partition owned once; the split is the Java ${name} assignor's (%s joins first)`, async (first) => {
    const topics = [uniqueName('interop-a'), uniqueName('interop-b')];
    await kit.createTopic(topics[0] as string, 3);
    await kit.createTopic(topics[1] as string, 4);
    const groupId = uniqueName(`interop-${name}`);
    const startOurs = () => {
      const transport = createKafkajsTransport({ brokers: brokers(), clientId: uniqueName('ours'), connectionTimeout: 3000, requestTimeout: 30000, retry: { max: 2, initialBackoff: 100, maxBackoff: 1000 } });
      transports.push(transport);
      const m = startTestMember({ ...membershipDefaults(transport, groupId, topics), strategies: [strategy], sessionTimeoutMs: 10000, heartbeatIntervalMs: 300 });
      ours.push(m);
      return m;
    };
    const startJava = () => {
      const j = startJavaConsumer({ brokers: brokers(), groupId, topics, strategy: name as 'range' | 'roundrobin', sessionTimeoutMs: 10000, heartbeatIntervalMs: 300 });
      java.push(j);
      return j;
    };
    if (first === 'java') {
      startJava();
      await (java[0] as JavaConsumer).nextAssignment();
      startOurs();
      startOurs();
    } else {
      startOurs();
      await (ours[0] as TestMember).generation();
      startJava();
      startOurs();
    }
    const [a, b, j] = await firstValueFrom(
      combineLatest([(ours[0] as TestMember).generations, (ours[1] as TestMember).generations, (java[0] as JavaConsumer).assignments]).pipe(
        filter(([x, y, z]: [Generation, Generation, JavaAssigned]) => x.generationId === y.generationId && y.generationId === z.generation),
      ),
    );
    const all = [...asIds(a.current), ...asIds(b.current), ...javaIds(j)].sort();
    expect(all).toEqual([...[0, 1, 2].map((p) => `${topics[0]}/${p}`), ...[0, 1, 2, 3].map((p) => `${topics[1]}/${p}`)].sort());
    const expected = strategy.assign(
      [a.memberId, b.memberId, j.memberId].map((memberId) => ({ memberId, topics })),
      { [topics[0] as string]: 3, [topics[1] as string]: 4 },
    );
    expect(asIds(a.current)).toEqual(asIds(expected.get(a.memberId) ?? {}));
    expect(asIds(b.current)).toEqual(asIds(expected.get(b.memberId) ?? {}));
    expect(javaIds(j)).toEqual(asIds(expected.get(j.memberId) ?? {}));
    // The first member stays the leader, so both a Java leader's and our leader's plans were exercised.
    expect(a.leaderId).toBe(first === 'java' ? j.memberId : a.memberId);
  });
});
