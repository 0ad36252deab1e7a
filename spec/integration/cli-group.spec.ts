import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createAdminKit } from '../../src/transport/kafkajs/admin-kit';
import { brokers, uniqueName } from '../support/names';

const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

/** A running CLI: its stdout message lines, and the partitions of its latest RebalanceOK (from --verbose stderr). */
interface RunningCli {
  readonly child: ChildProcess;
  readonly lines: string[];
  held: number[];
  /** Resolves once `test` holds, re-checked on every line either stream brings. */
  until(test: () => boolean): Promise<void>;
}

const startCli = (args: string[], checks: Set<() => void>): RunningCli => {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, KAFKA_BROKERS: brokers().join(',') } });
  const state: RunningCli = {
    child,
    lines: [],
    held: [],
    until: (test) =>
      new Promise<void>((resolve) => {
        if (test()) return resolve();
        const check = () => test() && (checks.delete(check), resolve());
        checks.add(check);
      }),
  };
  const split = (stream: NodeJS.ReadableStream, onLine: (l: string) => void) => {
    let buffered = '';
    stream.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      parts.forEach(onLine);
      checks.forEach((c) => c());
    });
  };
  split(child.stdout as NodeJS.ReadableStream, (l) => state.lines.push(l));
  split(child.stderr as NodeJS.ReadableStream, (l) => {
    const m = /^RebalanceOK (.*)$/.exec(l);
    if (m) state.held = Object.values(JSON.parse(m[1] ?? '{}') as Record<string, number[]>).flat().sort();
  });
  return state;
};

describe('the CLI run twice with one group (built)', () => {
  it('splits the partitions between the two; killing one hands its partitions to the other', async () => {
    const kit = createAdminKit(brokers());
    const topic = uniqueName('cli2');
    const group = uniqueName('cli2-group');
    const checks = new Set<() => void>();
    const clis: RunningCli[] = [];
    try {
      await kit.createTopic(topic, 4);
      await kit.produce(topic, Array.from({ length: 40 }, (_, i) => ({ value: `a${i}`, partition: i % 4 })));
      const args = ['consume', '--group', group, '--topics', topic, '--offset', 'oldest', '--verbose'];
      const [a, b] = [startCli(args, checks), startCli(args, checks)] as [RunningCli, RunningCli];
      clis.push(a, b);
      const split = () => a.held.length === 2 && b.held.length === 2 && [...a.held, ...b.held].sort().join() === '0,1,2,3';
      await a.until(split);
      expect([...a.held, ...b.held].sort()).toEqual([0, 1, 2, 3]);
      a.child.kill('SIGKILL');
      await b.until(() => b.held.length === 4); // after the session timeout, b holds everything
      await kit.produce(topic, Array.from({ length: 20 }, (_, i) => ({ value: `b${i}`, partition: i % 4 })));
      await b.until(() => b.lines.filter((l) => /\tb\d+$/.test(l)).length === 20);
      const exited = new Promise<number | null>((r) => b.child.once('exit', r));
      b.child.kill('SIGINT');
      expect(await exited).toBe(0);
      const seen = new Set([...a.lines, ...b.lines].filter((l) => /\ta\d+$/.test(l)).map((l) => l.split('\t')[2]));
      expect(seen.size).toBe(40); // every first-batch message reached one of the two
    } finally {
      clis.forEach((c) => c.child.exitCode === null && c.child.kill('SIGKILL'));
      await kit.close();
    }
  });
});
