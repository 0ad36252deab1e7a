import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

/** Runs the built CLI; resolves with its exit code, stdout lines and stderr once it exits. */
const run = (args: string[], onLine?: (line: string, kill: (s: NodeJS.Signals) => void) => void) =>
  new Promise<{ code: number | null; lines: string[]; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, KAFKA_BROKERS: brokers().join(',') } });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        onLine?.(l, (s) => child.kill(s));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, lines, stderr }));
  });

describe('the rx-kafka-cluster CLI (built)', () => {
  it('consumes as a group, prints topic/partition/offset<TAB>key<TAB>value, and on SIGINT commits, leaves and exits 0', async () => {
    const kit = createAdminKit(brokers());
    const topic = uniqueName('cli');
    const group = uniqueName('cli-group');
    try {
      await kit.createTopic(topic, 2);
      await kit.produce(topic, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })));
      let seen = 0;
      const result = await run(['consume', '--group', group, '--topics', topic, '--offset', 'oldest'], (_l, kill) => {
        if (++seen === 20) kill('SIGINT');
      });
      expect(result.code).toBe(0);
      expect(result.lines).toHaveLength(20);
      expect(result.lines).toContain(`${topic}/0/0\tk0\tv0`);
      expect(await kit.committedOffsets(group, topic)).toEqual(new Map([[0, 10n], [1, 10n]]));
      expect((await kit.describeGroup(group)).members).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  it('exits 64 with the usage on bad arguments', async () => {
    const r = await run(['consume', '--offset', 'middle']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('usage: rx-kafka-cluster consume');
  });

  it('exits 69 when no broker can be reached', async () => {
    const r = await run(['consume', '--brokers', '127.0.0.1:1', '--group', 'g', '--topics', 't']);
    expect(r.code).toBe(69);
  });
});
