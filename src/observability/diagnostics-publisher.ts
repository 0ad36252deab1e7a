import type { SchedulerLike } from 'rxjs';
import type { KafkaClientError } from '../errors';
import type { Notification } from '../protocol/group-machine-steps';
import { channels, type RebalanceTrace } from './diagnostics';

/**
 * Publishes a group's notifications and errors on the diagnostics channels (while they have subscribers): a
 * rebalance from RebalanceStart to its generation (RebalanceOK) on the rebalance tracing channel, a RebalanceError
 * as that rebalance's error, and every error on the error channel.
 */
export const diagnosticsPublisher = (who: { readonly group: string; readonly clientId: string }, scheduler: SchedulerLike) => {
  let current: { trace: RebalanceTrace; started: number } | undefined;
  const error = (e: KafkaClientError): void => {
    if (channels.error.hasSubscribers) channels.error.publish({ group: who.group, clientId: who.clientId, error: e });
  };
  const notification = (n: Notification): void => {
    const tracing = channels.rebalance.hasSubscribers;
    if (n.type === 'RebalanceStart') {
      if (!tracing || current) return;
      current = { trace: { group: who.group, clientId: who.clientId, start: n }, started: scheduler.now() };
      channels.rebalance.start.publish(current.trace);
      channels.rebalance.end.publish(current.trace);
    } else if (n.type === 'RebalanceOK') {
      const c = current;
      current = undefined;
      if (!c || !tracing) return;
      c.trace.result = n;
      c.trace.durationMs = scheduler.now() - c.started;
      channels.rebalance.asyncStart.publish(c.trace);
      channels.rebalance.asyncEnd.publish(c.trace);
    } else {
      error(n.error);
      if (current && tracing) {
        current.trace.error = n.error;
        channels.rebalance.error.publish(current.trace);
      }
    }
  };
  return { notification, error };
};
