import { interval, map, SchedulerLike, Subscription, asyncScheduler } from 'rxjs';
import type { Assignment } from '../protocol/assignment';
import type { PartitionOffsets } from '../sources/consumer-group';

export interface StatusSnapshot {
  readonly messagesPerSecond: number;
  readonly lag: PartitionOffsets;
  readonly held: Assignment;
}

/** One status line: `1,234 msg/s  lag 56  partitions 6 (t:0-2 u:0-2)`. Pure. */
export const formatStatus = (s: StatusSnapshot): string => {
  const lag = Object.values(s.lag).reduce((n, byPartition) => n + Object.values(byPartition).reduce((a, b) => a + b, 0n), 0n);
  const topics = Object.entries(s.held);
  const count = topics.reduce((n, [, ps]) => n + ps.length, 0);
  const list = topics.map(([t, ps]) => `${t}:${ps.join(',')}`).join(' ');
  return `${Math.round(s.messagesPerSecond).toLocaleString('en-US')} msg/s  lag ${lag.toLocaleString('en-US')}  partitions ${count}${list ? ` (${list})` : ''}`;
};

/** Where the line goes: a terminal stream (only written to when it is one). */
export interface StatusTarget {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

/**
 * A live status line on a terminal (stderr), redrawn every second in place (`\r` + clear line), never on stdout.
 * Does nothing when the target is not a terminal.
 */
export const startStatusLine = (
  target: StatusTarget,
  read: () => { readonly count: number; readonly lag: PartitionOffsets; readonly held: Assignment },
  scheduler: SchedulerLike = asyncScheduler,
): { stop(): void } => {
  if (!target.isTTY) return { stop: () => undefined };
  let last = read().count;
  const sub: Subscription = interval(1000, scheduler)
    .pipe(
      map(() => {
        const now = read();
        const line = formatStatus({ messagesPerSecond: now.count - last, lag: now.lag, held: now.held });
        last = now.count;
        return line;
      }),
    )
    .subscribe((line) => target.write(`\r\x1b[K${line}`));
  return {
    stop: () => {
      sub.unsubscribe();
      target.write('\r\x1b[K');
    },
  };
};
