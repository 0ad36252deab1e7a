import type { ErrorContext } from '../../errors';
import type { DescribeGroupRequest, OffsetFetchPartition } from '../port';
import type { NodeLookup } from './broker-registry';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

interface Decoded {
  readonly errorCode: number;
  readonly partitions: readonly (Omit<OffsetFetchPartition, 'error'> & { readonly errorCode: number })[];
}

/**
 * OffsetFetch v9 for every partition the group has committed (topics null), as a tool sends it: no member id,
 * epoch -1 (Java's Admin.listConsumerGroupOffsets).
 */
const offsetFetchAll = (groupId: string) =>
  flexibleRequest<Decoded>(
    { apiKey: 9, apiVersion: 9, apiName: 'OffsetFetch' },
    (w) =>
      w
        .array([groupId], (x, g) =>
          x
            .string(g)
            .string(null) // member id
            .int32(-1) // member epoch
            .array(null, (y, t: string) => y.string(t)) // all topics
            .tags(),
        )
        .bool(false) // require_stable
        .tags(),
    (d) => {
      d.int32(); // throttle time
      const groups =
        d.array((): Decoded => {
          d.string(); // group id
          const partitions =
            d.array(() => {
              const topic = d.string() ?? '';
              const ps =
                d.array(() => {
                  const partition = d.int32();
                  const offset = d.int64();
                  d.int32(); // committed leader epoch
                  const metadata = d.string();
                  const errorCode = d.int16();
                  d.tags();
                  return { topic, partition, offset, metadata, errorCode };
                }) ?? [];
              d.tags();
              return ps;
            }) ?? [];
          const errorCode = d.int16();
          d.tags();
          return { errorCode, partitions: partitions.flat() };
        }) ?? [];
      d.tags();
      return groups[0] ?? { errorCode: 0, partitions: [] };
    },
  );

/** Every committed offset of a group (partitions without one are not listed); a group error fails the request. */
export const listGroupOffsets = async (coordinator: NodeLookup, q: DescribeGroupRequest): Promise<OffsetFetchPartition[]> => {
  const context: ErrorContext = { group: q.groupId, api: 'OffsetFetch' };
  const node = await coordinator(q.coordinator, context);
  const res = await node.send(offsetFetchAll(q.groupId), context);
  const error = errorFromCode(res.errorCode, { ...context, broker: node.address });
  if (error) throw error;
  return res.partitions.map(({ errorCode, ...p }) => {
    const e = errorFromCode(errorCode, { ...context, broker: node.address, topic: p.topic, partition: p.partition });
    return { ...p, ...(e ? { error: e } : {}) };
  });
};
