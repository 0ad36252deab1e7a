import { resetOffsets } from '../admin/group-admin';
import type { Transport } from '../transport';
import { resetJson, resetText } from './admin-output';
import { EX_TEMPFAIL, type CommandIo } from './admin-io';
import type { ResetOffsetsCommand } from './parse-cli';

/**
 * `rx-kafka-cluster reset-offsets --group G --topic T <mode> [--execute]`: prints the plan, commits it with
 * --execute; exit 75 with the group and its state on stderr while the group has members.
 */
export const runResetOffsets = async (cmd: ResetOffsetsCommand, t: Transport, io: CommandIo): Promise<number> => {
  const r = await resetOffsets(t, cmd.group, cmd.topic, cmd.mode, cmd.execute);
  if (r._tag === 'Refused') {
    io.stderr.write(`Error: ${r.message}. Stop its members first.\n`);
    return EX_TEMPFAIL;
  }
  io.stdout.write(`${cmd.json ? JSON.stringify(resetJson(r.group, cmd.topic, r.plan, r.executed)) : resetText(r.group, r.plan)}\n`);
  if (!cmd.json) io.stderr.write(r.executed ? `Committed ${r.plan.length} offset(s) for group '${cmd.group}'.\n` : `Dry run: nothing committed (add --execute to commit).\n`);
  return 0;
};
