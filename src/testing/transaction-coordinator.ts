import * as E from 'fp-ts/Either';
import { protocolError, type ErrorContext, type KafkaClientError } from '../errors';
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  EndTxnRequest,
  PartitionResult,
  ProducerIdentity,
  TransactionalRequestBase,
  TxnOffsetCommitRequest,
} from '../transport/port';
import { javaHash, type GroupCoordinator } from './group-coordinator';
import type { PartitionLog } from './partition-log';
import type { ProducerIds } from './producer-ids';

/** What the transaction coordinator reaches of the cluster. */
export interface TransactionCoordinatorEnv {
  nodeIds(): readonly number[];
  log(topic: string, partition: number): PartitionLog | undefined;
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIds;
  now(): number;
  /** The logs changed (markers written): waiting fetches re-evaluate. */
  changed(): void;
}

interface Transaction {
  identity: ProducerIdentity;
  readonly partitions: Map<string, { readonly topic: string; readonly partition: number }>;
  readonly groups: Set<string>;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The cluster's transaction coordinators (KIP-98): per transactional id its producer id and epoch, the partitions
 * and groups of its open transaction and the offsets it will commit. InitProducerId bumps the epoch, aborting an
 * open transaction and fencing the old producer; EndTxn writes the markers and, on commit, the group offsets.
 * Requests to a node that does not coordinate the id get NOT_COORDINATOR.
 */
export class TransactionCoordinator {
  private readonly transactions = new Map<string, Transaction>();
  /** Coordinators moved by the test (moveCoordinator), else the hash of the id picks one. */
  private readonly placement = new Map<string, number>();

  constructor(private readonly env: TransactionCoordinatorEnv) {}

  coordinatorOf(transactionalId: string): number {
    const moved = this.placement.get(transactionalId);
    if (moved !== undefined) return moved;
    const nodes = this.env.nodeIds();
    return nodes[((javaHash(transactionalId) & 0x7fffffff) % 50) % nodes.length] ?? -1;
  }

  /** As when __transaction_state's partition moves: the state carries over to the new coordinator. */
  moveCoordinator(transactionalId: string, nodeId: number): void {
    this.placement.set(transactionalId, nodeId);
  }

  /**
   * A fresh InitProducerId (no id held) always takes the id over, bumping the epoch. One naming the id and epoch it
   * holds (KIP-360/588, recovering after an abort) is refused PRODUCER_FENCED when someone else bumped it since.
   */
  initProducerId(transactionalId: string, nodeId: number | undefined, held: { readonly producerId?: bigint; readonly producerEpoch?: number } = {}): E.Either<KafkaClientError, ProducerIdentity> {
    const context = { api: 'InitProducerId' };
    if (nodeId !== undefined && nodeId !== this.coordinatorOf(transactionalId)) return E.left(protocolError('NOT_COORDINATOR', context));
    const open = this.transactions.get(transactionalId);
    if (held.producerId !== undefined && held.producerId >= 0n && open && (open.identity.producerId !== held.producerId || open.identity.producerEpoch !== held.producerEpoch)) {
      return E.left(protocolError('PRODUCER_FENCED', context));
    }
    if (open) this.end(open, false);
    const identity = this.env.producerIds.init(transactionalId);
    this.transactions.set(transactionalId, { identity, partitions: new Map(), groups: new Set() });
    return E.right(identity);
  }

  addPartitions(req: AddPartitionsToTxnRequest): readonly PartitionResult[] {
    const checked = this.check(req, 'AddPartitionsToTxn');
    return req.partitions.map(({ topic, partition }) => {
      const context = { topic, partition, api: 'AddPartitionsToTxn' };
      if (E.isLeft(checked)) return { topic, partition, error: checked.left.withContext(context) };
      if (!this.env.log(topic, partition)) return { topic, partition, error: protocolError('UNKNOWN_TOPIC_OR_PARTITION', context) };
      checked.right.partitions.set(key(topic, partition), { topic, partition });
      return { topic, partition };
    });
  }

  addOffsets(req: AddOffsetsToTxnRequest): E.Either<KafkaClientError, void> {
    return E.map((t: Transaction) => void t.groups.add(req.groupId))(this.check(req, 'AddOffsetsToTxn', { group: req.groupId }));
  }

  /** Sent to the group's coordinator: the member is checked there, the offsets wait in the transaction. */
  txnOffsetCommit(req: TxnOffsetCommitRequest): readonly PartitionResult[] {
    const context = { group: req.groupId, member: req.memberId, generation: req.generationId, api: 'TxnOffsetCommit' };
    const t = this.transactions.get(req.transactionalId);
    const fail =
      this.env.groups.validateTxnCommit(req) ??
      (!t || t.identity.producerId !== req.producerId
        ? protocolError('INVALID_PRODUCER_ID_MAPPING', context)
        : req.producerEpoch < t.identity.producerEpoch
          ? protocolError('PRODUCER_FENCED', context)
          : !t.groups.has(req.groupId)
            ? protocolError('INVALID_TXN_STATE', context)
            : undefined);
    return req.offsets.map((o) => {
      if (fail || !t) return { topic: o.topic, partition: o.partition, error: (fail ?? protocolError('INVALID_PRODUCER_ID_MAPPING', context)).withContext({ topic: o.topic, partition: o.partition }) };
      this.env.groups.holdTransactional(req.groupId, t.identity.producerId, [o]);
      return { topic: o.topic, partition: o.partition };
    });
  }

  endTxn(req: EndTxnRequest): E.Either<KafkaClientError, void> {
    const checked = this.check(req, 'EndTxn');
    if (E.isLeft(checked)) return checked;
    if (checked.right.partitions.size === 0 && checked.right.groups.size === 0) return E.left(protocolError('INVALID_TXN_STATE', { api: 'EndTxn' }));
    this.end(checked.right, req.commit);
    return E.right(undefined);
  }

  /** Whether `producerId` may write a transactional batch to the partition now (it was added to its open transaction). */
  mayWrite(producerId: bigint, producerEpoch: number, topic: string, partition: number): boolean {
    for (const t of this.transactions.values()) {
      if (t.identity.producerId === producerId) return t.identity.producerEpoch === producerEpoch && t.partitions.has(key(topic, partition));
    }
    return false;
  }

  /** Markers on every partition of the transaction; on commit its offsets become the groups' committed ones. */
  private end(t: Transaction, commit: boolean): void {
    const now = this.env.now();
    for (const { topic, partition } of t.partitions.values()) this.env.log(topic, partition)?.writeMarker(t.identity.producerId, t.identity.producerEpoch, commit, now);
    for (const groupId of t.groups) this.env.groups.endTransactional(groupId, t.identity.producerId, commit);
    t.partitions.clear();
    t.groups.clear();
    this.env.changed();
  }

  /** The request's coordinator, producer id and epoch against the transaction's. */
  private check(req: TransactionalRequestBase, api: string, extra: ErrorContext = {}): E.Either<KafkaClientError, Transaction> {
    const context = { api, ...extra };
    if (req.coordinator !== this.coordinatorOf(req.transactionalId)) return E.left(protocolError('NOT_COORDINATOR', context));
    const t = this.transactions.get(req.transactionalId);
    if (!t || t.identity.producerId !== req.producerId) return E.left(protocolError('INVALID_PRODUCER_ID_MAPPING', context));
    if (req.producerEpoch !== t.identity.producerEpoch) return E.left(protocolError('PRODUCER_FENCED', context));
    return E.right(t);
  }
}
