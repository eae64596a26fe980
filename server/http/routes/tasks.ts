/**
 * The task inbox: list, read, claim, release, delegate, complete and comment
 * on user tasks. Every action checks the caller's relation to the user task
 * (access.ts); a deputy's actions are recorded as done for the absent colleague.
 */
import { Type } from '@sinclair/typebox';
import type { UserTask } from '../../../engine/index.js';
import { defineRoute, type AuditEntry } from '../route.js';
import { conflict, HttpError, notFound } from '../errors.js';
import { requireUserTaskRelation, userTaskRelation, type Principal, type UserTaskRelation } from '../access.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { Cursor, Empty, IdParams, Limit, Page, Timestamp, UserTaskSchema, Variables } from '../schemas.js';
import { inboxPage, inboxTasks, type InboxSort } from '../../queries/inbox.js';
import { keysetPage } from '../../queries/keysetPage.js';

import { formJsonSchema } from '../../forms/formSchema.js';
import { checkAgainst } from '../validation.js';
import { requireReadable } from './instances.js';
import type { Services } from '../services.js';

const defaultOrder: Record<InboxSort, 'asc' | 'desc'> = { due: 'asc', priority: 'desc', created: 'desc' };

const CommentSchema = Type.Object({
  id: Type.String(), instanceId: Type.String(), taskId: Type.Optional(Type.String()), authorId: Type.String(),
  onBehalfOf: Type.Optional(Type.String()), text: Type.String(), createdAt: Timestamp,
});

const TaskDetail = Type.Intersect([UserTaskSchema, Type.Object({ form: Type.Optional(Type.Unknown({ description: 'The embedded form-js schema, when the user task has one.' })) })]);

export const taskRoutes = [
  defineRoute({
    method: 'get', path: '/api/tasks', operationId: 'listTasks', tag: 'user tasks', access: 'authenticated',
    summary: 'My inbox: user tasks assigned to me, offered to me or my groups, and those of absent colleagues I stand in for (marked deputisedFor).',
    query: Type.Object({
      state: Type.Union([Type.Literal('open'), Type.Literal('completed'), Type.Literal('canceled')], { default: 'open' }),
      processId: Type.Optional(Type.String({ maxLength: 200 })),
      dueBefore: Type.Optional(Timestamp),
      overdue: Type.Optional(Type.Boolean({ description: 'Only user tasks whose due date has passed.' })),
      sort: Type.Union([Type.Literal('due'), Type.Literal('priority'), Type.Literal('created')], { default: 'due' }),
      order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
      limit: Limit,
      cursor: Type.Optional(Cursor),
    }, { additionalProperties: false }),
    responses: { 200: { description: 'One page of the inbox.', schema: Page(UserTaskSchema) } },
    async handler({ query, principal, services, now }) {
      const order = query.order ?? defaultOrder[query.sort];
      const sortKey = `${query.sort}:${order}`;
      const after = decodeCursor(query.cursor, sortKey, query.sort === 'priority' ? 'integer' : 'time');
      const rows = await inboxPage(services.knex, principal, {
        state: query.state, sort: query.sort, order, limit: query.limit,
        ...(query.processId ? { processId: query.processId } : {}),
        ...(query.dueBefore ? { dueBefore: new Date(query.dueBefore) } : {}),
        ...(query.overdue ? { overdue: true } : {}),
        ...(after ? { after } : {}),
      }, now);
      const page = keysetPage(rows, query.limit, (last) => ({ value: last.sort_value, id: last.id }));
      const items = (await inboxTasks(services.knex, page.items)).map((task) => withDeputyMark(principal, task));
      return { items, ...(page.next ? { nextCursor: encodeCursor(sortKey, page.next) } : {}) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/tasks/{id}', operationId: 'getTask', tag: 'user tasks', access: 'authenticated',
    summary: 'One user task with its variables and embedded form; for those whose inbox holds it, and for those who may read its instance.',
    params: IdParams,
    responses: { 200: { description: 'The user task.', schema: TaskDetail } },
    async handler({ params, principal, services }) {
      const { task } = await readableTask(principal, params.id, services);
      const form = await services.engine.getUserTaskForm(task.id);
      return { ...withDeputyMark(principal, task), ...(form !== undefined ? { form } : {}) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/tasks/{id}/claim', operationId: 'claimTask', tag: 'user tasks', access: 'authenticated',
    summary: 'Take an unclaimed user task offered to me or my group; 409 when someone claimed it first.',
    params: IdParams, body: { schema: Empty },
    responses: { 200: { description: 'Claimed.', schema: UserTaskSchema } },
    audit: { action: 'claim', objectType: 'user task' },
    async handler({ params, principal, services, audit }) {
      const { task, relation } = await workable(principal, params.id, services, audit);
      if (!relation.candidate) throw conflict(`user task '${task.id}' is already assigned`);
      return withDeputyMark(principal, await services.engine.assignUserTask(task.id, principal.userId, { expectedAssignee: null }));
    },
  }),
  defineRoute({
    method: 'post', path: '/api/tasks/{id}/unclaim', operationId: 'unclaimTask', tag: 'user tasks', access: 'authenticated',
    summary: 'Give a claimed user task back to its candidates.',
    params: IdParams, body: { schema: Empty },
    responses: { 200: { description: 'Released.', schema: UserTaskSchema } },
    audit: { action: 'unclaim', objectType: 'user task' },
    async handler({ params, principal, services, audit }) {
      const { task, relation } = await workable(principal, params.id, services, audit);
      if (!relation.assigned) throw conflict(`user task '${task.id}' is not assigned to you`);
      return withDeputyMark(principal, await services.engine.assignUserTask(task.id, null, { expectedAssignee: task.assignee ?? null }));
    },
  }),
  defineRoute({
    method: 'post', path: '/api/tasks/{id}/delegate', operationId: 'delegateTask', tag: 'user tasks', access: 'authenticated',
    summary: 'Hand a user task that is mine (or offered to me) to a colleague.',
    params: IdParams,
    body: { schema: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }) },
    responses: { 200: { description: 'Delegated.', schema: UserTaskSchema } },
    audit: { action: 'delegate', objectType: 'user task' },
    async handler({ params, body, principal, services, audit }) {
      const { task } = await workable(principal, params.id, services, audit);
      const target = await services.identity.getUser(body.userId);
      if (!target || !target.active) throw new HttpError(422, 'unprocessable', `there is no active user '${body.userId}'`);
      audit.details = { ...audit.details, to: target.id, from: task.assignee ?? null };
      return withDeputyMark(principal, await services.engine.assignUserTask(task.id, target.id, { expectedAssignee: task.assignee ?? null }));
    },
  }),
  defineRoute({
    method: 'post', path: '/api/tasks/{id}/complete', operationId: 'completeTask', tag: 'user tasks', access: 'authenticated',
    summary: 'Complete a user task with variables, checked against its form where it has one (422 lists what is wrong). An unclaimed user task is claimed on the way.',
    params: IdParams,
    body: { schema: Type.Object({ variables: Type.Optional(Variables) }, { additionalProperties: false }) },
    responses: { 204: { description: 'Completed.' }, 422: { description: 'The variables do not fit the form; details.problems says where.' } },
    status: 204,
    audit: { action: 'complete', objectType: 'user task' },
    async handler({ params, body, principal, services, audit }) {
      const { task, relation } = await workable(principal, params.id, services, audit);
      const variables = body.variables ?? {};
      await checkForm(services, task.id, variables);
      if (relation.candidate) await services.engine.assignUserTask(task.id, principal.userId, { expectedAssignee: null });
      await services.engine.completeUserTask(task.id, variables);
      audit.details = { ...audit.details, variables: Object.keys(variables) };
      return undefined;
    },
  }),
  defineRoute({
    method: 'post', path: '/api/tasks/{id}/comments', operationId: 'commentTask', tag: 'user tasks', access: 'authenticated',
    summary: 'Comment on a user task; the comment belongs to its folder (instance) and stays there.',
    params: IdParams,
    body: { schema: Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }) },
    responses: { 201: { description: 'Commented.', schema: CommentSchema } },
    status: 201,
    audit: { action: 'comment', objectType: 'user task' },
    async handler({ params, body, principal, services, audit, now }) {
      const { task, relation } = await readableTask(principal, params.id, services);
      Object.assign(audit, { instanceId: task.instanceId, ...(relation?.onBehalfOf ? { onBehalfOf: relation.onBehalfOf } : {}) });
      const comment = await services.comments.addComment({
        instanceId: task.instanceId, taskId: task.id, authorId: principal.userId, text: body.text, at: now,
        ...(relation?.onBehalfOf ? { onBehalfOf: relation.onBehalfOf } : {}),
      });
      return comment;
    },
  }),
  defineRoute({
    method: 'get', path: '/api/tasks/{id}/comments', operationId: 'taskComments', tag: 'user tasks', access: 'authenticated',
    summary: 'The comments on a user task, oldest first.',
    params: IdParams,
    responses: { 200: { description: 'Comments.', schema: Type.Object({ items: Type.Array(CommentSchema) }) } },
    async handler({ params, principal, services }) {
      const { task } = await readableTask(principal, params.id, services);
      return { items: await services.comments.listComments({ taskId: task.id }) };
    },
  }),
];

/** The open user task and the caller's relation to it; records the instance and any deputyship in the audit entry. */
async function workable(principal: Principal, taskId: string, services: Services, audit: AuditEntry): Promise<{ task: UserTask; relation: UserTaskRelation }> {
  const task = await services.engine.getUserTask(taskId);
  audit.instanceId = task.instanceId;
  const relation = requireUserTaskRelation(principal, task);
  if (relation.onBehalfOf) audit.onBehalfOf = relation.onBehalfOf;
  if (task.state !== 'open') throw conflict(`user task '${task.id}' is ${task.state}, not open`);
  return { task, relation };
}

/** A user task in the caller's inbox, or in a folder they may read; 404 otherwise, so its existence is not revealed. */
async function readableTask(principal: Principal, taskId: string, services: Services): Promise<{ task: UserTask; relation?: UserTaskRelation }> {
  const task = await services.engine.getUserTask(taskId);
  const relation = userTaskRelation(principal, task);
  if (relation) return { task, relation };
  await requireReadable(principal, task.instanceId, services).catch(() => { throw notFound('user task', task.id); });
  return { task };
}

async function checkForm(services: Services, taskId: string, variables: Record<string, unknown>): Promise<void> {
  const form = await services.engine.getUserTaskForm(taskId);
  if (form === undefined) return;
  const problems = checkAgainst(formJsonSchema(form), variables);
  if (problems.length > 0) throw new HttpError(422, 'unprocessable', 'the variables do not fit the form', { problems });
}

function withDeputyMark(principal: Principal, task: UserTask): UserTask & { deputisedFor?: string } {
  const onBehalfOf = userTaskRelation(principal, task)?.onBehalfOf;
  return { ...task, ...(onBehalfOf ? { deputisedFor: onBehalfOf } : {}) };
}
