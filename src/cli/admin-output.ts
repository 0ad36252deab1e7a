import type { PlannedReset } from '../admin/reset-plan';
import type { GroupDescription, TopicAssignment } from '../admin/group-description';
import type { GroupLag } from '../admin/group-lag';

/*
 * What describe, lag and reset-offsets print: aligned text tables (kafka-consumer-groups.sh's columns) or one
 * JSON document (offsets as JSON numbers, exact below 2^53). Pure.
 */

const MISSING = '-';

/** Columns padded to their widest cell, two spaces apart. */
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
};

/** `topic:0,1;other:2`, as Java's getAssignmentString writes it ('-' for none). */
export const assignmentString = (a: readonly TopicAssignment[]): string => (a.length === 0 ? MISSING : a.map((t) => `${t.topic}:${t.partitions.join(',')}`).join(';'));

const num = (v: bigint | undefined): number | null => (v === undefined ? null : Number(v));
const str = (v: bigint | number | undefined): string => (v === undefined ? MISSING : String(v));

/** The `describe --json` document. */
export const describeJson = (g: GroupDescription) => ({
  group: g.groupId,
  type: g.groupType,
  state: g.state,
  protocolType: g.protocolType,
  assignor: g.assignor,
  groupEpoch: g.groupEpoch ?? null,
  assignmentEpoch: g.assignmentEpoch ?? null,
  coordinator: { id: g.coordinator.nodeId, host: g.coordinator.host, port: g.coordinator.port },
  members: g.members.map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId ?? null,
    clientId: m.clientId,
    host: m.host,
    memberEpoch: m.memberEpoch ?? null,
    assignment: m.assignment,
    ...(m.targetAssignment ? { targetAssignment: m.targetAssignment } : {}),
  })),
});

export const describeText = (g: GroupDescription): string => {
  const facts: [string, string][] = [
    ['GROUP', g.groupId],
    ['TYPE', g.groupType],
    ['STATE', g.state],
    ['PROTOCOL-TYPE', g.protocolType || MISSING],
    ['ASSIGNOR', g.assignor || MISSING],
    ...(g.groupType === 'consumer' ? ([['GROUP-EPOCH', str(g.groupEpoch)], ['ASSIGNMENT-EPOCH', str(g.assignmentEpoch)]] as [string, string][]) : []),
    ['COORDINATOR (ID)', `${g.coordinator.host}:${g.coordinator.port} (${g.coordinator.nodeId})`],
    ['#MEMBERS', String(g.members.length)],
  ];
  const head = table(['FIELD', 'VALUE'], facts).split('\n').slice(1).join('\n');
  if (g.members.length === 0) return head;
  const consumer = g.groupType === 'consumer';
  const members = table(
    ['CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', ...(consumer ? ['EPOCH'] : []), '#PARTITIONS', 'ASSIGNMENT', ...(consumer ? ['TARGET-ASSIGNMENT'] : [])],
    g.members.map((m) => [
      m.memberId,
      m.instanceId ?? MISSING,
      m.host,
      m.clientId,
      ...(consumer ? [str(m.memberEpoch)] : []),
      String(m.assignment.reduce((n, t) => n + t.partitions.length, 0)),
      assignmentString(m.assignment),
      ...(consumer ? [assignmentString(m.targetAssignment ?? [])] : []),
    ]),
  );
  return `${head}\n\n${members}`;
};

/** The `lag --json` document (one per line under --watch, with `at`). */
export const lagJson = (l: GroupLag, at?: Date) => ({
  ...(at ? { at: at.toISOString() } : {}),
  group: l.groupId,
  state: l.state,
  partitions: l.rows.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    committed: num(r.committed),
    end: num(r.end),
    lag: num(r.lag),
    owner: r.owner ? { memberId: r.owner.memberId, clientId: r.owner.clientId, host: r.owner.host } : null,
  })),
  totalLag: Number(l.totalLag),
});

export const lagText = (l: GroupLag): string => {
  const rows = l.rows.map((r) => [r.topic, String(r.partition), str(r.committed), str(r.end), str(r.lag), r.owner?.memberId ?? MISSING, r.owner?.host ?? MISSING, r.owner?.clientId ?? MISSING]);
  const body = table(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows);
  return `GROUP ${l.groupId}  STATE ${l.state}\n${body}\nTOTAL  partitions ${l.rows.length}  lag ${l.totalLag}`;
};

/** The `reset-offsets --json` document. */
export const resetJson = (group: GroupDescription, topic: string, plan: readonly PlannedReset[], executed: boolean) => ({
  group: group.groupId,
  state: group.state,
  topic,
  executed,
  partitions: plan.map((p) => ({ topic: p.topic, partition: p.partition, current: num(p.current), new: Number(p.next) })),
});

export const resetText = (group: GroupDescription, plan: readonly PlannedReset[]): string =>
  table(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], plan.map((p) => [group.groupId, p.topic, String(p.partition), str(p.current), String(p.next)]));
