#!/usr/bin/env node
/**
 * `rx-kafka-cluster consume ...`: joins a group and prints its messages (the sarama-cluster CLI, in RxJS).
 * SIGINT/SIGTERM drain, commit and leave; exit 0 on a clean stop, 64 on usage errors, 69 when no broker answers,
 * 77 when authentication or authorisation fails. TLS/SASL options: see USAGE; secrets never come from argv.
 * `describe`, `lag` and `reset-offsets` administer a group (kafka-consumer-groups.sh's commands); `--help`/`-h`
 * on the tool or any command prints its usage to stdout and exits 0.
 */
import { readFileSync } from 'node:fs';
import { lastValueFrom } from 'rxjs';
import { tap } from 'rxjs/operators';
import { consumerGroup } from '../client/consumer-group-from-config';
import { ConfigValidationError } from '../config';
import type { KafkaClientError } from '../errors';
import { markOffsets } from '../operators/mark-offsets';
import { adminTransport, EX_NOPERM, EX_UNAVAILABLE, EX_USAGE, exitCodeOf } from './admin-io';
import { runDescribe } from './describe-command';
import { formatMessage } from './format-message';
import { runLag } from './lag-command';
import { type ConsumeCommand, USAGE } from './parse-args';
import { parseCli, type DescribeCommand, type LagCommand, type ResetOffsetsCommand } from './parse-cli';
import { runResetOffsets } from './reset-offsets-command';
import { resolveSecurity } from './security';
import { startStatusLine } from './status-line';
import { usageOf } from './usage';

const main = async (): Promise<number> => {
  const parsed = parseCli(process.argv.slice(2), process.env);
  if (parsed._tag === 'Left') {
    process.stderr.write(`${parsed.left.problems.join('\n')}\n${usageOf(parsed.left.command)}\n`);
    return EX_USAGE;
  }
  const cmd = parsed.right;
  if (cmd.command === 'help') {
    process.stdout.write(`${usageOf(cmd.of)}\n`);
    return 0;
  }
  return cmd.command === 'consume' ? consume(cmd) : admin(cmd);
};

/** describe, lag, reset-offsets: one transport, closed at the end; SIGINT/SIGTERM end a `lag --watch`. */
const admin = async (cmd: DescribeCommand | LagCommand | ResetOffsetsCommand): Promise<number> => {
  const security = resolveSecurity(cmd, process.env, (file) => readFileSync(file, 'utf8'));
  if (security._tag === 'Left') {
    process.stderr.write(`${security.left.join('\n')}\n${usageOf(cmd.command)}\n`);
    return EX_USAGE;
  }
  const transport = adminTransport(cmd, security.right);
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const io = { stdout: process.stdout, stderr: process.stderr };
  try {
    return cmd.command === 'describe' ? await runDescribe(cmd, transport, io) : cmd.command === 'lag' ? await runLag(cmd, transport, io, stopped) : await runResetOffsets(cmd, transport, io);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeOf(e);
  } finally {
    await lastValueFrom(transport.close(), { defaultValue: undefined }).catch(() => undefined);
  }
};

const consume = async (cmd: ConsumeCommand): Promise<number> => {
  const security = resolveSecurity(cmd, process.env, (file) => readFileSync(file, 'utf8'));
  if (security._tag === 'Left') {
    process.stderr.write(`${security.left.join('\n')}\n${USAGE}\n`);
    return EX_USAGE;
  }
  let group;
  try {
    group = consumerGroup({
      brokers: cmd.brokers,
      groupId: cmd.group,
      clientId: 'rx-kafka-cluster-cli',
      topics: cmd.topics,
      ...(cmd.whitelist ? { whitelist: cmd.whitelist } : {}),
      ...(cmd.blacklist ? { blacklist: cmd.blacklist } : {}),
      ...(cmd.groupProtocol === 'consumer'
        ? { groupProtocol: 'consumer' as const, ...(cmd.remoteAssignor ? { groupRemoteAssignor: cmd.remoteAssignor } : {}) }
        : { group: { partitionStrategy: [cmd.strategy] } }),
      consumer: { offsets: { initial: cmd.offset } },
      ...security.right,
    });
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      process.stderr.write(`${e.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}\n${USAGE}\n`);
      return EX_USAGE;
    }
    throw e;
  }
  const g = group;
  g.notifications$.subscribe((n) => {
    if (n.type === 'RebalanceError') {
      // A non-retriable one also ends the stream, which prints it: shown once, not twice.
      if (n.error.retriable) process.stderr.write(`rebalance error: ${n.error.message}\n`);
    } else if (cmd.verbose) process.stderr.write(`${n.type} ${JSON.stringify(n.type === 'RebalanceStart' ? n.claims : n.current)}\n`);
  });
  g.errors$.subscribe((e) => cmd.verbose && process.stderr.write(`error: ${e.message}\n`));
  let count = 0;
  const status = startStatusLine(process.stderr, () => ({ count, lag: g.lag(), held: g.subscriptions() }));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (cmd.verbose) process.stderr.write('stopping: committing and leaving the group\n');
    g.close().subscribe();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await lastValueFrom(
      g.messages$.pipe(
        tap((m) => {
          count++;
          process.stdout.write(`${formatMessage(m, cmd.format)}\n`);
        }),
        markOffsets(g),
      ),
      { defaultValue: undefined },
    );
    await lastValueFrom(g.close(), { defaultValue: undefined });
    status.stop();
    return 0;
  } catch (e) {
    status.stop();
    const err = e as KafkaClientError;
    process.stderr.write(`${err.message ?? String(e)}\n`);
    return err._tag === 'BrokerUnavailable' ? EX_UNAVAILABLE : err._tag === 'AuthenticationError' || err._tag === 'AuthorizationError' ? EX_NOPERM : 1;
  }
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
