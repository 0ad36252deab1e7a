import { of, throwError, type Observable } from 'rxjs';
import { runDescribe } from '../../../src/cli/describe-command';
import { runLag } from '../../../src/cli/lag-command';
import { runResetOffsets } from '../../../src/cli/reset-offsets-command';
import { exitCodeOf } from '../../../src/cli/admin-io';
import { KafkaClientError, protocolError } from '../../../src/errors';
import type { ClassicGroupDescription, Transport } from '../../../src/transport/port';

const unused = (): Observable<never> => throwError(() => new Error('not expected'));
const transport = (state: string, members: ClassicGroupDescription['members'] = []): Transport => ({
  metadata: () => of({ brokers: [], controllerId: 1, topics: [{ topic: 't', partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1] }] }] }),
  findCoordinator: () => of({ nodeId: 1, host: 'k', port: 9092 }),
  joinGroup: unused,
  syncGroup: unused,
  heartbeat: unused,
  leaveGroup: unused,
  offsetFetch: unused,
  offsetCommit: (r) => of(r.offsets.map(({ topic, partition }) => ({ topic, partition }))),
  listOffsets: (r) => of(r.partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: 10n }))),
  fetch: unused,
  close: () => of(undefined),
  describeGroups: () => of({ groupId: 'g', state, protocolType: 'consumer', protocol: '', members }),
  listGroupOffsets: () => of([{ topic: 't', partition: 0, offset: 4n, metadata: null }]),
});

const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } };
};
const base = { brokers: ['k:9092'], group: 'g', json: false };

describe('the admin commands', () => {
  it('lag --watch prints a round per interval until stopped, then returns 0', async () => {
    const o = io();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const write = o.io.stdout.write;
    o.io.stdout.write = (s: string) => {
      const n = write(s);
      if (o.out.length === 3) stop();
      return n;
    };
    expect(await runLag({ ...base, command: 'lag', json: true, watch: true, intervalMs: 100 }, transport('Empty'), o.io, stopped)).toBe(0);
    expect(o.out).toHaveLength(3);
    for (const line of o.out) expect(JSON.parse(line)).toMatchObject({ group: 'g', totalLag: 6, partitions: [{ topic: 't', partition: 0, committed: 4, end: 10, lag: 6, owner: null }] });
  });

  it('lag without --watch prints once', async () => {
    const o = io();
    expect(await runLag({ ...base, command: 'lag', watch: false, intervalMs: 2000 }, transport('Empty'), o.io, new Promise(() => undefined))).toBe(0);
    expect(o.out.join('')).toContain('TOTAL  partitions 1  lag 6');
    expect(o.err).toEqual([]);
    const dead = io();
    await runLag({ ...base, command: 'lag', watch: false, intervalMs: 2000 }, transport('Dead'), dead.io, new Promise(() => undefined));
    expect(dead.err.join('')).toContain("Consumer group 'g' does not exist.");
  });

  it('reset-offsets refused while the group has members: 75, the group and its state on stderr, nothing on stdout', async () => {
    const o = io();
    const member = { memberId: 'm', clientId: 'c', clientHost: '/h', metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) };
    expect(await runResetOffsets({ ...base, command: 'reset-offsets', topic: 't', mode: { kind: 'to-earliest' }, execute: true }, transport('Stable', [member]), o.io)).toBe(75);
    expect(o.out).toEqual([]);
    expect(o.err.join('')).toContain("group 'g' is inactive, but the current state is Stable");
  });

  it('describe of a group that does not exist says so on stderr (state Dead), exit 0 as the Java tool', async () => {
    const o = io();
    expect(await runDescribe({ ...base, command: 'describe' }, transport('Dead'), o.io)).toBe(0);
    expect(o.err.join('')).toContain("Consumer group 'g' does not exist.");
  });

  it('exit codes: 69 no broker, 77 authentication or authorisation, 1 otherwise', () => {
    expect(exitCodeOf(new KafkaClientError({ tag: 'BrokerUnavailable', message: 'x' }))).toBe(69);
    expect(exitCodeOf(new KafkaClientError({ tag: 'AuthenticationError', message: 'x' }))).toBe(77);
    expect(exitCodeOf(protocolError('GROUP_AUTHORIZATION_FAILED'))).toBe(77);
    expect(exitCodeOf(protocolError('UNKNOWN_TOPIC_OR_PARTITION'))).toBe(1);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });
});
