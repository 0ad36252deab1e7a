import { asyncScheduler, defer, EMPTY, exhaustMap, map, Observable, of, SchedulerLike, Subject, Subscription, switchMap, tap, throwError, timeout, timer } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { KafkaClientError, type ErrorContext } from '../errors';
import { needsTopicList, resolveTopics, type TopicSubscription } from '../protocol/subscription';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../protocol/consumer-protocol';
import type { Assignment } from '../protocol/assignment';
import { cooperativeGroupReducer } from '../protocol/cooperative-group-machine';
import { GenerationInfo, GroupEffect, GroupEvent, groupReducer, GroupState, initialGroupState, JoinedMember, Notification, RebalanceProtocol } from '../protocol/group-machine';
import { type AssignmentStrategy, type MemberSubscription, type PartitionCounts } from '../strategies';
import type { Transport } from '../transport';
import type { Generation } from './generation-claims';
import { MembershipRuntime } from './membership-runtime';

export type { Generation } from './generation-claims';

export type GroupNotification = Notification;

export interface MembershipOptions {
  readonly transport: Transport;
  readonly groupId: string;
  /** The topics this member subscribes to (fixed list). */
  readonly topics: () => readonly string[];
  /** Pattern subscription: topics matching `whitelist` (discovered by metadata refresh), minus `blacklist`. */
  readonly patterns?: { readonly whitelist?: RegExp; readonly blacklist?: RegExp };
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** In preference order; the first is what this member prefers. */
  readonly strategies: readonly AssignmentStrategy[];
  readonly instanceId?: string;
  readonly userData?: Buffer | null;
  readonly retry: { readonly max: number; readonly initialBackoffMs: number; readonly maxBackoffMs: number };
  /** How often subscribed topics' partition counts are re-read while stable (a change triggers a rejoin). */
  readonly metadataRefreshMs: number;
  readonly scheduler?: SchedulerLike;
  /** Eager (every rebalance revokes all) or cooperative (KIP-429: only what moves); see `rebalanceProtocolOf`. */
  readonly rebalanceProtocol?: RebalanceProtocol;
  /** 'consumer': the consumer group protocol (KIP-848; `startConsumerMembership`), else the classic one. */
  readonly groupProtocol?: 'classic' | 'consumer';
  /** Consumer protocol: the server-side assignor to ask for (the broker's default when undefined). */
  readonly remoteAssignor?: string;
  /** Consumer protocol: the rack id sent to the coordinator (rack-aware assignors). */
  readonly rackId?: string;
  /** Consumer protocol: makes this member's id (default: a random UUID), kept for the member's whole life. */
  readonly memberId?: () => string;
  /**
   * Runs when partitions of the current generation are revoked (drain and commit) or lost (`fenced`: nothing is
   * committed); the rejoin waits for it, bounded by the rebalance timeout.
   */
  readonly onRevoke?: (generation: Generation, partitions: Assignment, fenced: boolean) => Observable<unknown>;
  readonly notifications?: Subject<GroupNotification>;
  /** Where topic errors from Metadata go (a subscribed topic that does not exist), once per topic and code. */
  readonly report?: (error: KafkaClientError) => void;
}

/** A running membership: one member of the group, from join to leave. */
export interface MembershipHandle {
  /** Starts a clean shutdown (drain, commit, leave); completes when the member has left. Idempotent. */
  stop(): Observable<void>;
  /** Revokes and rejoins (e.g. the subscription changed). */
  rejoin(): void;
  readonly state: () => MembershipState;
}

/** What the rest of a session reads of the membership: who it is, the epoch its commits carry, where its coordinator is. */
export interface MembershipState {
  readonly memberId: string;
  /** The classic generation id, or the consumer protocol's member epoch. */
  readonly generationId: number;
  readonly coordinator: number | undefined;
  readonly generation: GenerationInfo | undefined;
  readonly groupProtocol: 'classic' | 'consumer';
}

export interface MembershipObserver {
  next(g: Generation): void;
  error(e: KafkaClientError): void;
  complete(): void;
}

/**
 * Partition counts of the subscribed topics. A topic the member may not describe fails (typed, naming the topic:
 * like the Java consumer's TopicAuthorizationException); one that does not exist (yet), or that Metadata answers
 * with another error, counts 0, and its error (or undefined once it is fine) goes to `onTopic`.
 */
const partitionCounts = (
  transport: Transport,
  topics: readonly string[],
  onTopic: (topic: string, error: KafkaClientError | undefined) => void,
): Observable<PartitionCounts> =>
  transport.metadata({ topics }).pipe(
    map((md) => {
      const denied = md.topics.find((x) => topics.includes(x.topic) && x.error?._tag === 'AuthorizationError');
      if (denied?.error) throw denied.error;
      return Object.fromEntries(
        topics.map((t) => {
          const found = md.topics.find((x) => x.topic === t);
          onTopic(t, found ? found.error : undefined);
          return [t, found && !found.error ? found.partitions.length : 0];
        }),
      );
    }),
  );

const sameCounts = (a: PartitionCounts, b: PartitionCounts): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);

/** Starts the membership protocol for one member; generations go to `observer`. */
export const startMembership = (options: MembershipOptions, observer: MembershipObserver): MembershipHandle => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const { transport, groupId } = options;
  /** The error code last reported per topic, so a refresh every few seconds reports a topic error once. */
  const topicErrors = new Map<string, string>();
  const onTopic = (topic: string, error: KafkaClientError | undefined): void => {
    const code = error ? (error.code ?? error._tag) : undefined;
    if (code === topicErrors.get(topic)) return;
    if (code === undefined) topicErrors.delete(topic);
    else topicErrors.set(topic, code);
    if (error) options.report?.(error.withContext({ group: groupId, topic }));
  };
  const rebalanceProtocol = options.rebalanceProtocol ?? 'eager';
  const reducer = rebalanceProtocol === 'cooperative' ? cooperativeGroupReducer : groupReducer;
  let request = Subscription.EMPTY;
  let heartbeat = Subscription.EMPTY;
  let watcher = Subscription.EMPTY;
  let retry = Subscription.EMPTY;
  const runtime: MembershipRuntime<GroupState, GroupEvent, GroupEffect> = new MembershipRuntime<GroupState, GroupEvent, GroupEffect>(
    initialGroupState({ retryMax: options.retry.max, initialBackoffMs: options.retry.initialBackoffMs, maxBackoffMs: options.retry.maxBackoffMs }, '', rebalanceProtocol),
    reducer,
    (effect) => perform(effect),
    options,
    observer,
    (): ErrorContext => ({ group: groupId, member: runtime.state.memberId || undefined, generation: runtime.state.generationId >= 0 ? runtime.state.generationId : undefined }),
    () => [request, heartbeat, watcher, retry],
  );
  const { dispatch, asError, claims } = runtime;
  const ctx = runtime.context;
  /** Partition counts the current assignment was made with: this member's topics, and as leader the group's. */
  let joinedCounts: PartitionCounts = {};
  /** As leader, every topic the group subscribes to (as Java's leader does, it watches them all); else none. */
  let groupTopics: readonly string[] = [];
  const coordinator = () => runtime.state.coordinator ?? -1;

  const send = <T>(work: Observable<T>, onNext: (value: T) => GroupEvent, onError: (e: KafkaClientError) => GroupEvent): void => {
    request.unsubscribe();
    request = work.subscribe({ next: (v) => dispatch(onNext(v)), error: (e: unknown) => dispatch(onError(asError(e))) });
  };

  /** This member's topics now: the fixed list, plus pattern matches from the cluster's topic list. */
  const subscribedTopics = (): Observable<readonly string[]> => {
    const subscription: TopicSubscription = { topics: options.topics(), ...options.patterns };
    return needsTopicList(subscription)
      ? transport.metadata({}).pipe(map((md) => resolveTopics(subscription, md.topics.map((t) => t.topic))))
      : of(resolveTopics(subscription, []));
  };

  const join = ({ memberId, ownedPartitions, generationId }: Extract<GroupEffect, { type: 'joinGroup' }>): Observable<GroupEvent> => {
    let topics: readonly string[] = [];
    return subscribedTopics().pipe(
      switchMap((resolved) => {
        topics = resolved;
        return partitionCounts(transport, topics, onTopic);
      }),
      switchMap((counts) => {
        joinedCounts = counts;
        groupTopics = [];
        return transport.joinGroup({
          groupId,
          coordinator: coordinator(),
          memberId,
          groupInstanceId: options.instanceId,
          sessionTimeoutMs: options.sessionTimeoutMs,
          rebalanceTimeoutMs: options.rebalanceTimeoutMs,
          protocolType: 'consumer',
          protocols: options.strategies.map((s) => ({
            name: s.name,
            metadata: encodeSubscription({
              topics,
              userData: s.userData?.() ?? options.userData ?? null,
              ownedPartitions: Object.entries(ownedPartitions).map(([topic, partitions]) => ({ topic, partitions })),
              generationId,
            }),
          })),
        });
      }),
      map((r): GroupEvent => ({ type: 'Joined', generationId: r.generationId, memberId: r.memberId, leaderId: r.leaderId, protocol: r.protocolName, members: r.members })),
    );
  };

  /** The leader's plan: decode every member's subscription, read partition counts, run the strategy. */
  const plan = (protocol: string, members: readonly JoinedMember[]): Observable<{ memberId: string; assignment: Buffer }[]> =>
    defer(() => {
      const strategy = options.strategies.find((s) => s.name === protocol);
      if (!strategy) throw new KafkaClientError({ tag: 'KafkaProtocolError', message: `Coordinator chose protocol ${protocol}, which this member does not offer`, context: ctx() });
      const subscriptions: MemberSubscription[] = members.map((m) => {
        const decoded = decodeSubscription(m.metadata);
        if (decoded._tag === 'Left') throw decoded.left.withContext({ ...ctx(), member: m.memberId });
        const { topics, userData, ownedPartitions, generationId } = decoded.right;
        return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics, userData, ownedPartitions, generationId };
      });
      const topics = [...new Set(subscriptions.flatMap((s) => s.topics))].sort();
      return partitionCounts(transport, topics, onTopic).pipe(
        tap((counts) => {
          groupTopics = topics;
          joinedCounts = { ...joinedCounts, ...counts };
        }),
        map((counts) => [...strategy.assign(subscriptions, counts)].map(([memberId, assigned]) => ({ memberId, assignment: encodeAssignment({ assignedPartitions: assigned }) }))),
      );
    });

  const sync = (effect: Extract<GroupEffect, { type: 'syncGroup' }>): Observable<GroupEvent> =>
    (effect.isLeader ? plan(effect.protocol, effect.members) : defer(() => [[]])).pipe(
      switchMap((assignments) => transport.syncGroup({ groupId, coordinator: coordinator(), groupInstanceId: options.instanceId, memberId: effect.memberId, generationId: effect.generationId, assignments })),
      map((r): GroupEvent => {
        const decoded = r.assignment.length === 0 ? undefined : decodeAssignment(r.assignment);
        if (decoded?._tag === 'Left') return { type: 'SyncFailed', error: decoded.left.withContext(ctx()) };
        const assignment = decoded?.right.assignedPartitions ?? {};
        // Java's ConsumerPartitionAssignor.onAssignment: sticky strategies report it at the next join.
        options.strategies.find((s) => s.name === effect.protocol)?.onAssignment?.(assignment, effect.generationId);
        return { type: 'Synced', generationId: effect.generationId, assignment };
      }),
    );

  const startHeartbeat = (generationId: number, memberId: string): void => {
    heartbeat.unsubscribe();
    heartbeat = timer(options.heartbeatIntervalMs, options.heartbeatIntervalMs, scheduler)
      .pipe(
        exhaustMap(() =>
          transport.heartbeat({ groupId, coordinator: coordinator(), groupInstanceId: options.instanceId, memberId, generationId }).pipe(
            // A heartbeat unanswered for a whole session is as good as lost: treat the coordinator as gone.
            timeout({ first: options.sessionTimeoutMs, scheduler, with: () => throwError(() => new KafkaClientError({ tag: 'RequestTimeout', retriable: true, message: `Heartbeat unanswered for ${options.sessionTimeoutMs} ms`, context: ctx() })) }),
            catchError((e: unknown) => {
              dispatch({ type: 'HeartbeatFailed', generationId, error: asError(e) });
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe();
  };

  /**
   * While stable, a change in the subscribed topics' partition counts (a topic appears, grows) rejoins. The leader
   * watches every topic of the group: a follower's rejoin with unchanged metadata does not rebalance.
   */
  const watchMetadata = (): void => {
    watcher.unsubscribe();
    watcher = timer(options.metadataRefreshMs, options.metadataRefreshMs, scheduler)
      .pipe(
        exhaustMap(() =>
          subscribedTopics().pipe(
            switchMap((mine) => partitionCounts(transport, [...new Set([...mine, ...groupTopics])], onTopic)),
            catchError(() => EMPTY),
          ),
        ),
      )
      .subscribe((counts) => {
        if (!sameCounts(counts, joinedCounts)) dispatch({ type: 'RejoinRequested' });
      });
  };

  const perform = (effect: GroupEffect): void => {
    switch (effect.type) {
      case 'findCoordinator':
        return send(transport.findCoordinator({ groupId }), (b) => ({ type: 'CoordinatorFound', nodeId: b.nodeId }), (error) => ({ type: 'CoordinatorFailed', error }));
      case 'joinGroup':
        return send(join(effect), (e) => e, (error) => ({ type: 'JoinFailed', error }));
      case 'syncGroup':
        return send(sync(effect), (e) => e, (error) => ({ type: 'SyncFailed', error }));
      case 'startHeartbeat':
        return startHeartbeat(effect.generationId, effect.memberId);
      case 'stopHeartbeat':
        heartbeat.unsubscribe();
        return;
      case 'emitGeneration': {
        const generation = claims.emit(effect.generation);
        watchMetadata();
        observer.next(generation);
        return;
      }
      case 'revoke':
        watcher.unsubscribe();
        return runtime.performShared(effect, { type: 'RevokeDone' });
      case 'leaveGroup':
        return send(
          transport.leaveGroup({ groupId, coordinator: coordinator(), groupInstanceId: options.instanceId, memberId: effect.memberId }),
          () => ({ type: 'LeaveDone' }),
          () => ({ type: 'LeaveDone' }),
        );
      case 'scheduleRetry':
        retry.unsubscribe();
        retry = timer(effect.delayMs, scheduler).subscribe(() => dispatch({ type: 'RetryDue' }));
        return;
      default:
        return runtime.performShared(effect, { type: 'RevokeDone' });
    }
  };

  dispatch({ type: 'Start' });
  return runtime.handle(
    { type: 'Stop' },
    () => dispatch({ type: 'RejoinRequested' }),
    () => {
      const s = runtime.state;
      return { memberId: s.memberId, generationId: s.generationId, coordinator: s.coordinator, generation: s.generation, groupProtocol: 'classic' };
    },
  );
};

/**
 * `generations$`: subscribing joins the group; each stable generation is emitted; unsubscribing drains the last
 * generation (`onRevoke`), then leaves the group. Errors after the retry bound end the stream with a typed error.
 *
 *   subscribe ──FindCoordinator─JoinGroup─SyncGroup──g1────(rebalance)────g2───── unsubscribe ─ drain ─ LeaveGroup
 */
export const generations = (options: MembershipOptions): Observable<Generation> =>
  new Observable<Generation>((subscriber) => {
    const handle = startMembership(options, {
      next: (g) => subscriber.next(g),
      error: (e) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    return () => {
      handle.stop().subscribe();
    };
  });
