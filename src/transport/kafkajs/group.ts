import * as joinGroupRequest from 'kafkajs/src/protocol/requests/joinGroup';
import * as syncGroupRequest from 'kafkajs/src/protocol/requests/syncGroup';
import * as heartbeatRequest from 'kafkajs/src/protocol/requests/heartbeat';
import * as leaveGroupRequest from 'kafkajs/src/protocol/requests/leaveGroup';
import type { ErrorContext } from '../../errors';
import type { HeartbeatRequest, JoinGroupRequest, JoinGroupResponse, LeaveGroupRequest, SyncGroupRequest, SyncGroupResponse } from '../port';
import type { NodeLookup } from './broker-registry';
import { errorFromCode } from './map-error';

/*
 * Group requests go to the node the caller names, once: kafkajs's Broker.joinGroup (which silently rejoins on
 * MEMBER_ID_REQUIRED and drops group.instance.id) and its throwing parsers are bypassed, so every error code
 * reaches the group state machine. kafkajs's encoders for JoinGroup v5, SyncGroup v3, Heartbeat v3 and
 * LeaveGroup v3 all carry group.instance.id (KIP-345).
 */

const JOIN_NETWORK_DELAY_MS = 5000;

const fail = (code: number, context: ErrorContext, memberId?: string): void => {
  const error = errorFromCode(code, context, memberId);
  if (error) throw error;
};

export const joinGroup = async (coordinator: NodeLookup, r: JoinGroupRequest): Promise<JoinGroupResponse> => {
  const context: ErrorContext = { group: r.groupId, member: r.memberId, api: 'JoinGroup' };
  const node = await coordinator(r.coordinator, context);
  const protocol = joinGroupRequest.protocol({ version: 5 })({
    groupId: r.groupId,
    sessionTimeout: r.sessionTimeoutMs,
    rebalanceTimeout: r.rebalanceTimeoutMs,
    memberId: r.memberId,
    groupInstanceId: r.groupInstanceId ?? null,
    protocolType: r.protocolType,
    groupProtocols: r.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
  });
  // JoinGroup blocks broker-side up to the rebalance timeout.
  const timeout = Math.max(node.requestTimeout, r.rebalanceTimeoutMs + JOIN_NETWORK_DELAY_MS);
  const res = await node.send({ ...protocol, requestTimeout: timeout }, context);
  fail(res.errorCode, { ...context, broker: node.address }, res.memberId ?? undefined);
  return {
    generationId: res.generationId,
    protocolName: res.groupProtocol ?? '',
    leaderId: res.leaderId ?? '',
    memberId: res.memberId ?? '',
    members: res.members.map((m) => ({
      memberId: m.memberId ?? '',
      ...(m.groupInstanceId === null ? {} : { groupInstanceId: m.groupInstanceId }),
      metadata: m.memberMetadata ?? Buffer.alloc(0),
    })),
  };
};

export const syncGroup = async (coordinator: NodeLookup, r: SyncGroupRequest): Promise<SyncGroupResponse> => {
  const context: ErrorContext = { group: r.groupId, member: r.memberId, generation: r.generationId, api: 'SyncGroup' };
  const node = await coordinator(r.coordinator, context);
  const protocol = syncGroupRequest.protocol({ version: 3 })({
    groupId: r.groupId,
    generationId: r.generationId,
    memberId: r.memberId,
    groupInstanceId: r.groupInstanceId ?? null,
    groupAssignment: r.assignments.map((a) => ({ memberId: a.memberId, memberAssignment: a.assignment })),
  });
  const res = await node.send(protocol, context);
  fail(res.errorCode, { ...context, broker: node.address });
  return { assignment: res.memberAssignment ?? Buffer.alloc(0) };
};

export const heartbeat = async (coordinator: NodeLookup, r: HeartbeatRequest): Promise<void> => {
  const context: ErrorContext = { group: r.groupId, member: r.memberId, generation: r.generationId, api: 'Heartbeat' };
  const node = await coordinator(r.coordinator, context);
  const protocol = heartbeatRequest.protocol({ version: 3 })({
    groupId: r.groupId,
    groupGenerationId: r.generationId,
    memberId: r.memberId,
    groupInstanceId: r.groupInstanceId ?? null,
  });
  const res = await node.send(protocol, context);
  fail(res.errorCode, { ...context, broker: node.address });
};

export const leaveGroup = async (coordinator: NodeLookup, r: LeaveGroupRequest): Promise<void> => {
  const context: ErrorContext = { group: r.groupId, member: r.memberId, api: 'LeaveGroup' };
  const node = await coordinator(r.coordinator, context);
  const protocol = leaveGroupRequest.protocol({ version: 3 })({
    groupId: r.groupId,
    memberId: r.memberId,
    groupInstanceId: r.groupInstanceId ?? null,
  });
  const res = await node.send(protocol, context);
  fail(res.errorCode, { ...context, broker: node.address });
  // v3 answers per member (we send one).
  for (const m of res.members) fail(m.errorCode, { ...context, broker: node.address });
};
