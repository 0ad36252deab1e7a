import { groupLag } from '../admin/group-admin';
import type { Transport } from '../transport';
import { lagJson, lagText } from './admin-output';
import type { CommandIo } from './admin-io';
import type { LagCommand } from './parse-cli';

/**
 * `rx-kafka-cluster lag --group G [--watch [--interval MS]] [--json]`: prints the lag once, or under --watch every
 * interval until `stopped` resolves (SIGINT), then exit 0.
 */
export const runLag = async (cmd: LagCommand, t: Transport, io: CommandIo, stopped: Promise<void>): Promise<number> => {
  let stop = false;
  void stopped.then(() => (stop = true));
  for (let round = 0; ; round++) {
    const at = new Date();
    const { lag } = await groupLag(t, cmd.group);
    if (round === 0 && !cmd.json && lag.state === 'Dead') io.stderr.write(`Consumer group '${cmd.group}' does not exist.\n`);
    if (cmd.json) io.stdout.write(`${JSON.stringify(lagJson(lag, cmd.watch ? at : undefined))}\n`);
    else io.stdout.write(`${cmd.watch ? `Every ${cmd.intervalMs} ms, at ${at.toISOString()}\n` : ''}${lagText(lag)}\n${cmd.watch ? '\n' : ''}`);
    if (!cmd.watch || stop) return 0;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, cmd.intervalMs)))]);
    clearTimeout(timer);
    if (stop) return 0;
  }
};
