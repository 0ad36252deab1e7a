import { USAGE as CONSUME_USAGE } from './parse-args';

/** The commands `rx-kafka-cluster` runs. */
export const COMMANDS = ['consume', 'describe', 'lag', 'reset-offsets'] as const;
export type CommandName = (typeof COMMANDS)[number];

const CONNECTION = `  Connection (every command): --brokers host:port[,host:port] (default $KAFKA_BROKERS)
         [--tls] [--ca FILE] [--cert FILE --key FILE]
         [--sasl-mechanism plain|scram-sha-256|scram-sha-512|oauthbearer] [--sasl-username U]
         [--sasl-password-env VAR | --sasl-password-file FILE] [--sasl-token-env VAR | --sasl-token-file FILE]
  Secrets never come from the command line ($KAFKA_SASL_PASSWORD / $KAFKA_SASL_TOKEN by default).`;

const EXITS = `  Exit codes: 0 done, 64 usage error, 69 broker unavailable, 77 authentication or authorisation failed,
  1 other errors.`;

export const DESCRIBE_USAGE = `usage: rx-kafka-cluster describe --group G [--json] [connection options]
  The group's state, type (classic or consumer), protocol type, assignor (classic: the chosen protocol, e.g.
  range or cooperative-sticky; consumer protocol: the server assignor, e.g. uniform), group and assignment epochs
  (consumer protocol), coordinator, and each member's id, instance id, client id, host, epoch and assignment.
${CONNECTION}
${EXITS}`;

export const LAG_USAGE = `usage: rx-kafka-cluster lag --group G [--watch [--interval MS]] [--json] [connection options]
  Per partition (owned by a member or committed by the group): topic, partition, committed offset, log end
  offset (high watermark), lag, and its owner (member id, host, client id, or -); then the total.
  --watch reprints every --interval ms (default 2000) until SIGINT (exit 0); with --json, one object per line.
${CONNECTION}
${EXITS}`;

export const RESET_USAGE = `usage: rx-kafka-cluster reset-offsets --group G --topic T
         (--to-earliest | --to-latest | --to-datetime YYYY-MM-DDTHH:mm:ss[.SSS][Z|+HH:mm] | --shift-by N | --to-offset N)
         [--execute | --dry-run] [--json] [connection options]
  Prints the plan (topic, partition, current committed offset, new offset) for every partition of T; commits it
  only with --execute (a dry run otherwise). New offsets are clamped to [log start, log end]; a datetime without a
  zone is local time, and a partition with no record at or after it goes to the log end.
  Refused (exit 75) while the group has members (its state is not Empty or Dead).
${CONNECTION}
${EXITS} 75 group active (reset refused).`;

export const TOOL_USAGE = `usage: rx-kafka-cluster <command> [options]     (rx-kafka-cluster <command> --help for its options)
  consume        join a group and print its messages
  describe       a group's state, assignor, epochs and members with their assignments
  lag            committed offset, log end offset and lag per partition (--watch to follow)
  reset-offsets  plan, or with --execute commit, new offsets for an inactive group
  --help, -h     this text`;

/** A command's usage text (the tool's when none). */
export const usageOf = (command?: CommandName): string =>
  command === 'consume' ? CONSUME_USAGE : command === 'describe' ? DESCRIBE_USAGE : command === 'lag' ? LAG_USAGE : command === 'reset-offsets' ? RESET_USAGE : TOOL_USAGE;
