import { consumerGroup, ConfigValidationError, createClient, type ConsumerGroupConfigInput } from '../../../src';
import type { Transport } from '../../../src/transport';

/** Everything wrong at once: field types and ranges, an unknown field, and a cross-field rule. */
const broken = {
  brokers: ['no-port-here'],
  groupId: '',
  topics: ['ok', 'not ok'],
  group: { session: { timeout: 3000 }, heartbeat: { interval: 2000 } },
  consumer: { fetch: { max: 1024, partitionMax: 4096 }, offsets: { initial: 'middle' } },
  retry: { max: -1 },
  tpyo: true,
} as unknown as ConsumerGroupConfigInput;

const expectedPaths = ['tpyo', 'brokers[0]', 'groupId', 'topics[1]', 'consumer.offsets.initial', 'retry.max', 'group.heartbeat.interval', 'consumer.fetch.partitionMax'];

const catching = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('invalid configuration: one typed error, every issue, nothing started', () => {
  it('consumerGroup throws one ConfigValidationError (ConfigError) listing every issue with its path, before any transport exists', () => {
    const createTransport = jest.fn<Transport, []>();
    const e = catching(() => consumerGroup(broken, { createTransport }));
    expect(e).toBeInstanceOf(ConfigValidationError);
    const err = e as ConfigValidationError;
    expect(err._tag).toBe('ConfigError');
    expect(err.retriable).toBe(false);
    expect([...err.issues.map((i) => i.path)].sort()).toEqual([...expectedPaths].sort());
    expect(err.context.field).toBe(err.issues[0]?.path);
    for (const path of expectedPaths) expect(err.message).toContain(path);
    expect(createTransport).not.toHaveBeenCalled();
  });

  it('a client hands out no consumer for an invalid group config: the same error, and the client opens no connection', () => {
    const createTransport = jest.fn<Transport, []>();
    const client = createClient({ brokers: ['localhost:9092'] }, { createTransport });
    const e = catching(() => client.consumerGroup({ groupId: '', topics: [], group: { session: { timeout: -1 } } }));
    expect(e).toBeInstanceOf(ConfigValidationError);
    expect((e as ConfigValidationError).issues.map((i) => i.path).sort()).toEqual(['groupId', 'group.session.timeout', 'topics'].sort());
    expect(createTransport).not.toHaveBeenCalled();
  });

  it('a non-object config is one ConfigError, not a TypeError', () => {
    for (const input of [undefined, null, 42, 'brokers=localhost:9092', []]) {
      const e = catching(() => consumerGroup(input as unknown as ConsumerGroupConfigInput));
      expect(e).toBeInstanceOf(ConfigValidationError);
    }
  });
});
