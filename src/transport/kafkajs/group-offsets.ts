import type { ErrorContext } from '../../errors';
import type { DescribeGroupRequest, OffsetFetchPartition } from '../port';
import type { NodeLookup } from './broker-registry';
import { errorFromCode } from './map-error';
import { offsetFetchV9 } from './offsets';

/**
 * Every committed offset of a group (partitions without one are not listed), as a tool asks for them: OffsetFetch
 * v9 for all topics, no member id, epoch -1 (Java's Admin.listConsumerGroupOffsets). A group error fails the request.
 */
export const listGroupOffsets = async (coordinator: NodeLookup, q: DescribeGroupRequest): Promise<OffsetFetchPartition[]> => {
  const context: ErrorContext = { group: q.groupId, api: 'OffsetFetch' };
  const node = await coordinator(q.coordinator, context);
  const res = await node.send(offsetFetchV9(q.groupId, null, null), context);
  const error = errorFromCode(res.errorCode, { ...context, broker: node.address });
  if (error) throw error;
  return res.responses.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, offset, metadata, errorCode }) => {
      const e = errorFromCode(errorCode, { ...context, broker: node.address, topic, partition });
      return { topic, partition, offset: BigInt(offset), metadata, ...(e ? { error: e } : {}) };
    }),
  );
};
