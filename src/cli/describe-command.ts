import { describeGroup } from '../admin/group-admin';
import type { Transport } from '../transport';
import { describeJson, describeText } from './admin-output';
import type { CommandIo } from './admin-io';
import type { DescribeCommand } from './parse-cli';

/** `rx-kafka-cluster describe --group G [--json]`: prints the group; exit 0. */
export const runDescribe = async (cmd: DescribeCommand, t: Transport, io: CommandIo): Promise<number> => {
  const g = await describeGroup(t, cmd.group);
  io.stdout.write(`${cmd.json ? JSON.stringify(describeJson(g)) : describeText(g)}\n`);
  if (!cmd.json && g.state === 'Dead') io.stderr.write(`Consumer group '${cmd.group}' does not exist.\n`);
  return 0;
};
