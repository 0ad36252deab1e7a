/**
 * The partition assignment strategies: the port (`AssignmentStrategy`), the Java-compatible built-ins `range` and
 * `roundrobin`, and `strategyByName` to resolve the protocol name the coordinator picked in JoinGroup (or a name
 * from configuration) to a built-in. Custom strategies are plain objects implementing `AssignmentStrategy`; list
 * them in the configuration in preference order, like Java's `partition.assignment.strategy`.
 */
import { range } from './range';
import { roundrobin } from './roundrobin';
import { COOPERATIVE_STICKY, cooperativeSticky } from './cooperative-sticky';
import { STICKY, sticky } from './sticky';
import { AssignmentStrategy } from './strategy';

export * from './strategy';
export { range } from './range';
export { roundrobin } from './roundrobin';
export { sticky, STICKY } from './sticky';
export { cooperativeSticky, COOPERATIVE_STICKY } from './cooperative-sticky';

/** The built-in strategies, in the order sarama-cluster and the Java client prefer them. */
export const builtinStrategies: readonly AssignmentStrategy[] = [range, roundrobin];

/**
 * The built-in strategy with this protocol name, for one group member, or `undefined` (names are case-sensitive, as
 * on the wire). `sticky` and `cooperative-sticky` remember its member's last assignment, so each call gives a fresh instance.
 */
export const strategyByName = (name: string): AssignmentStrategy | undefined =>
  name === STICKY ? sticky() : name === COOPERATIVE_STICKY ? cooperativeSticky() : builtinStrategies.find((s) => s.name === name);
