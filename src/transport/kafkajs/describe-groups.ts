import type { ErrorContext } from '../../errors';
import type { ClassicGroupDescription, DescribeGroupRequest } from '../port';
import type { NodeLookup } from './broker-registry';
import type { CompactReader } from './compact-codec';
import { flexibleRequest } from './flexible-request';
import { errorFromCode } from './map-error';

/** A compact (nullable) byte string: the reader has no raw-bytes call, so read byte by byte (small buffers). */
export const compactBytes = (r: CompactReader): Buffer => {
  const n = r.uvarint();
  if (n <= 1) return Buffer.alloc(0);
  const out = Buffer.alloc(n - 1);
  for (let i = 0; i < n - 1; i++) out[i] = r.int8() & 0xff;
  return out;
};

interface Decoded extends ClassicGroupDescription {
  readonly errorCode: number;
}

/** DescribeGroups v5 (flexible, one group): the classic protocol's view of a group, its members' raw assignments. */
const describeGroupsV5 = (groupId: string) =>
  flexibleRequest<Decoded>(
    { apiKey: 15, apiVersion: 5, apiName: 'DescribeGroups' },
    (w) =>
      w
        .array([groupId], (x, g) => x.string(g))
        .bool(false) // include authorized operations
        .tags(),
    (r) => {
      r.int32(); // throttle time
      const groups =
        r.array((): Decoded => {
          const errorCode = r.int16();
          const id = r.string() ?? '';
          const state = r.string() ?? '';
          const protocolType = r.string() ?? '';
          const protocol = r.string() ?? '';
          const members =
            r.array(() => {
              const memberId = r.string() ?? '';
              const instanceId = r.string();
              const clientId = r.string() ?? '';
              const clientHost = r.string() ?? '';
              const metadata = compactBytes(r);
              const assignment = compactBytes(r);
              r.tags();
              return { memberId, ...(instanceId === null ? {} : { instanceId }), clientId, clientHost, metadata, assignment };
            }) ?? [];
          r.int32(); // authorized operations
          r.tags();
          return { errorCode, groupId: id, state, protocolType, protocol, members };
        }) ?? [];
      r.tags();
      return groups[0] ?? { errorCode: 0, groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
    },
  );

/** DescribeGroups to the group's coordinator; a group error code fails the request (typed, with the group). */
export const describeGroups = async (coordinator: NodeLookup, q: DescribeGroupRequest): Promise<ClassicGroupDescription> => {
  const context: ErrorContext = { group: q.groupId, api: 'DescribeGroups' };
  const node = await coordinator(q.coordinator, context);
  const { errorCode, ...res } = await node.send(describeGroupsV5(q.groupId), context);
  const error = errorFromCode(errorCode, { ...context, broker: node.address });
  if (error) throw error;
  return res;
};
