/** Starting, listing, reading and cancelling process instances (circulation folders), with their audit trail. */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { forbidden, notFound } from '../errors.js';
import { hasRole, mayCancelInstance, mayReadInstance, type Principal } from '../access.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  Cursor, Empty, HistoryEventSchema, Id, IdParams, InstanceStateSchema, InstanceUserTask, Limit, Page, ProcessInstanceDetail, ProcessInstanceSummary,
  UserTaskStateSchema, Variables, VersionQuery,
} from '../schemas.js';
import { listInstances } from '../../queries/instances.js';
import { hasOpenUserTaskIn } from '../../queries/inbox.js';
import { countUserTasksByState, listHistoryOfInstance, listUserTasksOfInstance } from '../../queries/instanceProgress.js';
import type { HistoryEvent, UserTaskRecord } from '../../../engine/index.js';
import type { Services } from '../services.js';

/**
 * How many user tasks and history events the instance detail shows: all of
 * them for most folders, the first page of a distribution to thousands.
 */
const FIRST_PAGE = 200;
/** The orders the cursors of the paged lists stand for (see ../cursor.ts). */
const USER_TASK_ORDER = 'created:asc';
const HISTORY_ORDER = 'seq:asc';

const AuditRecordSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorId: Type.Optional(Type.String()),
  onBehalfOf: Type.Optional(Type.String({ description: 'Set when a deputy acted for this absent colleague.' })),
  action: Type.String(),
  objectType: Type.String(),
  objectId: Type.Optional(Type.String()),
  status: Type.Integer(),
  details: Type.Optional(Variables),
});

export const instanceRoutes = [
  defineRoute({
    method: 'post', path: '/api/process-definitions/{processId}/instances', operationId: 'startInstance', tag: 'process instances', access: 'authenticated',
    summary: 'Start a process instance (latest version unless ?version=n). The variable initiator is set to the caller.',
    params: Type.Object({ processId: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    query: VersionQuery,
    body: { schema: Type.Object({ variables: Type.Optional(Variables), businessKey: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }) },
    responses: { 201: { description: 'Started.', schema: Type.Intersect([ProcessInstanceSummary, Type.Object({ variables: Variables, activeElementIds: Type.Array(Type.String()) })]) } },
    status: 201,
    audit: { action: 'start', objectType: 'process instance' },
    async handler({ params, query, body, principal, services, audit, now }) {
      const variables = { ...body.variables, initiator: principal.userId };
      const instance = await services.engine.startProcess(params.processId, variables, {
        ...(body.businessKey !== undefined ? { businessKey: body.businessKey } : {}),
        ...(query.version !== undefined ? { version: query.version } : {}),
      });
      await services.instanceStarts.recordStart({ instanceId: instance.id, startedBy: principal.userId, unitIds: principal.directGroups, at: now });
      Object.assign(audit, { objectId: instance.id, instanceId: instance.id, details: { processId: params.processId, version: instance.version } });
      return { ...instance, startedBy: principal.userId };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-instances', operationId: 'listInstances', tag: 'process instances', access: 'authenticated',
    summary: 'Instances the caller may track (started by them; for supervisors, started in their units; admins: all), newest first.',
    query: Type.Object({
      processId: Type.Optional(Type.String({ maxLength: 200 })),
      state: Type.Optional(InstanceStateSchema),
      businessKey: Type.Optional(Type.String({ maxLength: 200 })),
      limit: Limit,
      cursor: Type.Optional(Cursor),
    }, { additionalProperties: false }),
    responses: { 200: { description: 'One page.', schema: Page(ProcessInstanceSummary) } },
    async handler({ query, principal, services }) {
      const after = decodeCursor(query.cursor, 'started:desc', 'time');
      const page = await listInstances(services.knex, await viewerOf(principal, services), { ...query, ...(after ? { after } : {}) });
      return { items: page.items, ...(page.next ? { nextCursor: encodeCursor('started:desc', page.next) } : {}) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-instances/{id}', operationId: 'getInstance', tag: 'process instances', access: 'authenticated',
    summary: 'One instance: state, variables, active elements, incidents, its user tasks counted by state, and the first page of its user tasks and history.',
    params: IdParams,
    responses: { 200: { description: 'The instance.', schema: ProcessInstanceDetail } },
    async handler({ params, principal, services }) {
      await requireReadable(principal, params.id, services);
      const [instance, history, incidents, userTasks, userTaskCounts, start] = await Promise.all([
        services.engine.getInstance(params.id), listHistoryOfInstance(services.knex, params.id, { limit: FIRST_PAGE }),
        services.engine.listIncidents(params.id), listUserTasksOfInstance(services.knex, params.id, { limit: FIRST_PAGE }),
        countUserTasksByState(services.knex, params.id), services.instanceStarts.getStart(params.id),
      ]);
      return {
        ...instance, ...(start ? { startedBy: start.startedBy } : {}),
        history: history.items.map(withoutInstanceId),
        ...(history.next ? { historyNextCursor: encodeCursor(HISTORY_ORDER, history.next) } : {}),
        incidents,
        userTasks: userTasks.items.map(instanceUserTask),
        ...(userTasks.next ? { userTasksNextCursor: encodeCursor(USER_TASK_ORDER, userTasks.next) } : {}),
        userTaskCounts,
      };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-instances/{id}/user-tasks', operationId: 'instanceUserTasks', tag: 'process instances', access: 'authenticated',
    summary: 'The user tasks of this instance in the order they were created, optionally of one state (who has not yet confirmed: state=open), paged.',
    params: IdParams,
    query: Type.Object({ state: Type.Optional(UserTaskStateSchema), limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
    responses: { 200: { description: 'One page.', schema: Page(InstanceUserTask) } },
    async handler({ params, query, principal, services }) {
      await requireReadable(principal, params.id, services);
      const after = decodeCursor(query.cursor, USER_TASK_ORDER, 'time');
      const page = await listUserTasksOfInstance(services.knex, params.id, { limit: query.limit, ...(query.state ? { state: query.state } : {}), ...(after ? { after } : {}) });
      return { items: page.items.map(instanceUserTask), ...(page.next ? { nextCursor: encodeCursor(USER_TASK_ORDER, page.next) } : {}) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-instances/{id}/history', operationId: 'instanceHistory', tag: 'process instances', access: 'authenticated',
    summary: 'The history of this instance, oldest first, paged.',
    params: IdParams,
    query: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
    responses: { 200: { description: 'One page.', schema: Page(HistoryEventSchema) } },
    async handler({ params, query, principal, services }) {
      await requireReadable(principal, params.id, services);
      const after = decodeCursor(query.cursor, HISTORY_ORDER, 'integer');
      const page = await listHistoryOfInstance(services.knex, params.id, { limit: query.limit, ...(after ? { after } : {}) });
      return { items: page.items.map(withoutInstanceId), ...(page.next ? { nextCursor: encodeCursor(HISTORY_ORDER, page.next) } : {}) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/process-instances/{id}/cancel', operationId: 'cancelInstance', tag: 'process instances', access: 'authenticated',
    summary: 'Cancel a running instance (its initiator, a supervisor of its unit, or an admin); open user tasks are withdrawn.',
    params: IdParams,
    body: { schema: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }) },
    responses: { 204: { description: 'Cancelled.' } },
    status: 204,
    audit: { action: 'cancel', objectType: 'process instance' },
    async handler({ params, body, principal, services, audit }) {
      Object.assign(audit, { instanceId: params.id, ...(body.reason ? { details: { reason: body.reason } } : {}) });
      const start = await services.instanceStarts.getStart(params.id);
      const supervised = hasRole(principal, 'supervisor') ? await services.identity.unitsSupervisedBy(principal.userId) : [];
      if (!mayCancelInstance(principal, start, supervised)) {
        await requireReadable(principal, params.id, services);
        throw forbidden('only the initiator, a supervisor of the unit or an admin may cancel this instance');
      }
      await services.engine.cancelInstance(params.id);
      return undefined;
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-instances/{id}/audit', operationId: 'instanceAudit', tag: 'process instances', access: 'authenticated',
    summary: 'Every recorded request on this instance and its user tasks: who, for whom, what, when, with what outcome.',
    params: IdParams,
    query: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }), afterId: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
    responses: { 200: { description: 'The audit entries, oldest first.', schema: Type.Object({ items: Type.Array(AuditRecordSchema) }) } },
    async handler({ params, query, principal, services }) {
      await requireReadable(principal, params.id, services);
      const items = await services.audit.listForInstance(params.id, { limit: query.limit, ...(query.afterId !== undefined ? { afterId: query.afterId } : {}) });
      return { items };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-instances/{id}/comments', operationId: 'instanceComments', tag: 'process instances', access: 'authenticated',
    summary: 'The comments on this folder, oldest first.',
    params: IdParams,
    query: Empty,
    responses: { 200: { description: 'Comments.', schema: Type.Object({ items: Type.Array(Type.Object({ id: Id, text: Type.String(), authorId: Type.String() }, { additionalProperties: true })) }) } },
    async handler({ params, principal, services }) {
      await requireReadable(principal, params.id, services);
      return { items: await services.comments.listComments({ instanceId: params.id }) };
    },
  }),
];

function instanceUserTask({ id, elementId, name, assignee, candidateGroups, state, createdAt, dueDate, completedAt }: UserTaskRecord) {
  return { id, elementId, name, assignee, candidateGroups, state, createdAt, dueDate, completedAt };
}

function withoutInstanceId({ instanceId: _instanceId, ...event }: HistoryEvent) {
  return event;
}

async function viewerOf(principal: Principal, services: Services) {
  const all = hasRole(principal, 'admin');
  const supervisedUnits = !all && hasRole(principal, 'supervisor') ? await services.identity.unitsSupervisedBy(principal.userId) : [];
  return { all, userId: principal.userId, supervisedUnits };
}

/** 404 for an instance the caller may not read, so that its existence is not revealed either. */
export async function requireReadable(principal: Principal, instanceId: string, services: Services): Promise<void> {
  const start = await services.instanceStarts.getStart(instanceId);
  const supervised = hasRole(principal, 'supervisor') ? await services.identity.unitsSupervisedBy(principal.userId) : [];
  if (mayReadInstance(principal, start, supervised, false)) {
    if (!(await services.engine.store.getInstance(instanceId))) throw notFound('process instance', instanceId);
    return;
  }
  if (!mayReadInstance(principal, start, supervised, await hasOpenUserTaskIn(services.knex, principal, instanceId))) throw notFound('process instance', instanceId);
}
