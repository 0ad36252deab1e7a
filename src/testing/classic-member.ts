import type { Subscription } from 'rxjs';
import type { GroupProtocol, JoinGroupResponse, SyncGroupResponse } from '../transport/port';
import type { Reply } from './reply';

/**
 * One member of a classic group as the coordinator sees it (Kafka's `MemberMetadata`): its timeouts, the
 * protocols it supports in order of preference, its assignment, the JoinGroup/SyncGroup it has parked, and its
 * session timer. `isNew` is true from its first JoinGroup until the join phase that admits it completes.
 */
export interface ClassicMember {
  memberId: string;
  readonly groupInstanceId: string | undefined;
  readonly clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly GroupProtocol[];
  assignment: Buffer;
  awaitingJoin: Reply<JoinGroupResponse> | undefined;
  awaitingSync: Reply<SyncGroupResponse> | undefined;
  isNew: boolean;
  session: Subscription | undefined;
}

/** What a coordinator persists of a member (Kafka writes it to `__consumer_offsets` with the group). */
export interface StoredMember {
  readonly memberId: string;
  readonly groupInstanceId: string | undefined;
  readonly clientId: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocols: readonly GroupProtocol[];
  readonly assignment: Buffer;
}

/** A group as last persisted: what a new coordinator loads after the coordinator moved. */
export interface GroupSnapshot {
  readonly generationId: number;
  readonly protocolType: string | undefined;
  readonly protocolName: string | undefined;
  readonly leaderId: string | undefined;
  readonly members: readonly StoredMember[];
}

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

/** Same protocols, same order, same metadata bytes (Kafka's `MemberMetadata.matches`). */
export const sameProtocols = (a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean =>
  a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]?.metadata ?? EMPTY_ASSIGNMENT));

export const metadataFor = (member: ClassicMember, protocol: string | undefined): Buffer =>
  member.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_ASSIGNMENT;

/**
 * The broker's vote: the candidates are the protocols every member supports; each member votes for its most
 * preferred candidate; the most votes win. Kafka breaks ties arbitrarily (hash order); here the protocol voted
 * for first, in member join order, wins.
 */
export const selectProtocol = (members: readonly ClassicMember[]): string | undefined => {
  const supportedByAll = (name: string) => members.every((m) => m.protocols.some((p) => p.name === name));
  const votes = new Map<string, number>();
  for (const m of members) {
    const vote = m.protocols.find((p) => supportedByAll(p.name))?.name;
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestVotes = 0;
  for (const [name, n] of votes) {
    if (n > bestVotes) [best, bestVotes] = [name, n];
  }
  return best;
};

export const toStored = (member: ClassicMember, protocolName: string | undefined): StoredMember => ({
  memberId: member.memberId,
  groupInstanceId: member.groupInstanceId,
  clientId: member.clientId,
  sessionTimeoutMs: member.sessionTimeoutMs,
  rebalanceTimeoutMs: member.rebalanceTimeoutMs,
  protocols: protocolName === undefined ? member.protocols : [{ name: protocolName, metadata: metadataFor(member, protocolName) }],
  assignment: member.assignment,
});

export const fromStored = (stored: StoredMember): ClassicMember => ({
  ...stored,
  awaitingJoin: undefined,
  awaitingSync: undefined,
  isNew: false,
  session: undefined,
});
