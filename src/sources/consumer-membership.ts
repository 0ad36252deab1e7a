import { randomUUID } from 'node:crypto';
import { asyncScheduler, defer, map, Observable, of, Subscription, switchMap, timer } from 'rxjs';
import { retry } from 'rxjs/operators';
import { brokerRegex } from '../config/broker-regex';
import { KafkaClientError, type ErrorContext } from '../errors';
import { type Assignment, assignmentOf } from '../protocol/assignment';
import { backoffDelay } from '../protocol/backoff';
import { ConsumerEffect, ConsumerEvent, consumerGroupReducer, ConsumerState, initialConsumerState } from '../protocol/consumer-group-machine';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, TopicIdPartitions, Transport } from '../transport';
import { MembershipRuntime } from './membership-runtime';
import type { MembershipHandle, MembershipObserver, MembershipOptions } from './group-membership';

/** The broker's default server-side assignor (group.consumer.assignors: uniform first). */
export const DEFAULT_REMOTE_ASSIGNOR = 'uniform';

/**
 * Topic names and ids, both ways: the consumer group protocol names topics by id, our streams by name. Ids the
 * cache does not know are looked up by one Metadata v12 request (retried while the broker's metadata catches up).
 */
class TopicIds {
  private readonly names = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly transport: Transport,
    private readonly retry: MembershipOptions['retry'],
    private readonly scheduler: NonNullable<MembershipOptions['scheduler']>,
  ) {}

  /** The coordinator's assignment by name; fails (typed, naming the ids) if some id stays unknown. */
  resolve(assignment: readonly TopicIdPartitions[]): Observable<Assignment> {
    const named = () => assignmentOf(assignment.flatMap((t) => t.partitions.map((partition) => ({ topic: this.names.get(t.topicId) ?? '', partition }))));
    const unknown = () => assignment.filter((t) => !this.names.has(t.topicId)).map((t) => t.topicId);
    if (unknown().length === 0) return of(named());
    return defer(() => this.transport.metadata({ topicIds: true })).pipe(
      map((md) => {
        for (const t of md.topics) {
          if (!t.topicId) continue;
          this.names.set(t.topicId, t.topic);
          this.ids.set(t.topic, t.topicId);
        }
        const missing = unknown();
        if (missing.length > 0) {
          throw new KafkaClientError({ tag: 'KafkaProtocolError', code: 'UNKNOWN_TOPIC_ID', message: `Assigned topic id(s) ${missing.join(', ')} not in the cluster metadata (yet)`, retriable: true });
        }
        return named();
      }),
      retry({ count: this.retry.max, delay: (_e: unknown, attempt) => timer(backoffDelay(attempt, this.retry.initialBackoffMs, this.retry.maxBackoffMs), this.scheduler) }),
    );
  }

  /** What this member owns, by topic id (every owned topic came in an assignment, so its id is known). */
  byId(owned: Assignment): TopicIdPartitions[] {
    return Object.entries(owned).flatMap(([topic, partitions]) => {
      const topicId = this.ids.get(topic);
      return topicId ? [{ topicId, partitions }] : [];
    });
  }
}

/**
 * One member of a consumer-protocol group (KIP-848), from join to leave: runs the pure machine, sends its
 * heartbeats, resolves topic ids, and keeps the partition claims. The same port as the classic membership.
 *
 *   subscribe ──FindCoordinator─Heartbeat(epoch 0)──g1──heartbeats──(assignment changes)──g2── unsubscribe ─ drain ─ Heartbeat(-1)
 */
export const startConsumerMembership = (options: MembershipOptions, observer: MembershipObserver): MembershipHandle => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const { transport, groupId } = options;
  const topicIds = new TopicIds(transport, options.retry, scheduler);
  const assignor = options.remoteAssignor;
  let request = Subscription.EMPTY;
  let heartbeat = Subscription.EMPTY;
  let next = Subscription.EMPTY;
  const runtime: MembershipRuntime<ConsumerState, ConsumerEvent, ConsumerEffect> = new MembershipRuntime<ConsumerState, ConsumerEvent, ConsumerEffect>(
    initialConsumerState(
      { retryMax: options.retry.max, initialBackoffMs: options.retry.initialBackoffMs, maxBackoffMs: options.retry.maxBackoffMs, staticMember: options.instanceId !== undefined, assignor: assignor ?? DEFAULT_REMOTE_ASSIGNOR },
      options.memberId?.() ?? randomUUID(),
    ),
    consumerGroupReducer,
    (effect) => perform(effect),
    options,
    observer,
    (): ErrorContext => ({ group: groupId, member: runtime.state.memberId, generation: runtime.state.memberEpoch > 0 ? runtime.state.memberEpoch : undefined }),
    () => [request, heartbeat, next],
  );
  const { dispatch, asError, claims } = runtime;
  const ctx = runtime.context;

  const send = (memberEpoch: number, owned: Assignment): Observable<ConsumerGroupHeartbeatResponse> => {
    const call = transport.consumerGroupHeartbeat;
    if (!call) {
      return defer(() => {
        throw new KafkaClientError({ tag: 'KafkaProtocolError', code: 'UNSUPPORTED_VERSION', message: 'This transport does not implement the consumer group protocol (ConsumerGroupHeartbeat)', context: ctx() });
      });
    }
    const subscription = options.patterns?.whitelist ? { subscribedTopicRegex: brokerRegex(options.patterns.whitelist) } : { subscribedTopicNames: options.topics() };
    const req: ConsumerGroupHeartbeatRequest = {
      groupId,
      coordinator: runtime.state.coordinator ?? -1,
      memberId: runtime.state.memberId,
      memberEpoch,
      ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
      ...(options.rackId === undefined ? {} : { rackId: options.rackId }),
      // Every heartbeat is a full one: the coordinator compares, so an unchanged field costs a few bytes only.
      rebalanceTimeoutMs: memberEpoch < 0 ? -1 : options.rebalanceTimeoutMs,
      ...(memberEpoch < 0 ? {} : { ...subscription, ...(assignor === undefined ? {} : { serverAssignor: assignor }), ownedPartitions: topicIds.byId(owned) }),
    };
    return call.call(transport, req);
  };

  const perform = (effect: ConsumerEffect): void => {
    switch (effect.type) {
      case 'findCoordinator':
        request.unsubscribe();
        request = transport.findCoordinator({ groupId }).subscribe({
          next: (b) => dispatch({ type: 'CoordinatorFound', nodeId: b.nodeId }),
          error: (e: unknown) => dispatch({ type: 'CoordinatorFailed', error: asError(e) }),
        });
        return;
      case 'heartbeat':
        heartbeat.unsubscribe();
        heartbeat = send(effect.memberEpoch, effect.owned)
          .pipe(
            switchMap((res) => {
              const resolved: Observable<Assignment | undefined> = res.assignment ? topicIds.resolve(res.assignment) : of(undefined);
              return resolved.pipe(
                map((assignment): ConsumerEvent => ({ type: 'HeartbeatOK', memberId: res.memberId, memberEpoch: res.memberEpoch, heartbeatIntervalMs: res.heartbeatIntervalMs, ...(assignment ? { assignment } : {}) })),
              );
            }),
          )
          .subscribe({ next: dispatch, error: (e: unknown) => dispatch({ type: 'HeartbeatFailed', error: asError(e) }) });
        return;
      case 'scheduleHeartbeat':
        next.unsubscribe();
        next = timer(effect.delayMs, scheduler).subscribe(() => dispatch({ type: 'HeartbeatDue' }));
        return;
      case 'stopHeartbeat':
        next.unsubscribe();
        heartbeat.unsubscribe();
        return;
      case 'emitGeneration':
        observer.next(claims.emit(effect.generation));
        return;
      case 'leaveGroup':
        request.unsubscribe();
        request = send(effect.memberEpoch, {}).subscribe({ next: () => dispatch({ type: 'LeaveDone' }), error: () => dispatch({ type: 'LeaveDone' }) });
        return;
      default:
        return runtime.performShared(effect, { type: 'RevokeDone' });
    }
  };

  dispatch({ type: 'Start' });
  // The coordinator drives every change (a new topic matching the subscription included): nothing to ask for.
  return runtime.handle({ type: 'Stop' }, () => undefined, () => membershipState(runtime.state));
};

const membershipState = (s: ConsumerState) => ({ memberId: s.memberId, generationId: s.memberEpoch, coordinator: s.coordinator, generation: s.generation, groupProtocol: 'consumer' as const });
