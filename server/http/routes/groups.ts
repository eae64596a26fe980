/**
 * Organisational units (groups), nested, and their members. Everyone logged in
 * may read the units and who belongs to them (to pick a recipient unit or a
 * colleague); only admins change them. Non-admins see members by id and name
 * only: roles and account state are administration data.
 */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { HttpError, notFound } from '../errors.js';
import { hasRole } from '../access.js';
import { ErrorSchema, Id, IdParams, Timestamp } from '../schemas.js';
import type { Group } from '../../identity/IdentityStore.js';
import type { Services } from '../services.js';
import { GroupSchema, Items, NewId, requireUser, unprocessableOnBadReference } from './users.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });
const UnknownParent = { description: 'The parent unit does not exist.', schema: ErrorSchema };
const MembershipParams = Type.Object({ id: Id, userId: Id }, { additionalProperties: false });

const MemberSchema = Type.Object({
  id: Type.String(), displayName: Type.String(),
  email: Type.Optional(Type.String()), roles: Type.Optional(Type.Array(Type.String())), active: Type.Optional(Type.Boolean()),
  hasPassword: Type.Optional(Type.Boolean()), createdAt: Type.Optional(Timestamp),
}, { description: 'Admins see the whole user; others see id and display name.' });

async function requireGroup(services: Services, id: string): Promise<Group> {
  const group = await services.identity.getGroup(id);
  if (!group) throw notFound('group', id);
  return group;
}

/** A parent that does not exist is a bad reference in the body (422), not a missing path object (404). */
async function requireParent(services: Services, parentId: string | null | undefined): Promise<void> {
  if (parentId && !(await services.identity.getGroup(parentId))) {
    throw new HttpError(422, 'unprocessable', `there is no group '${parentId}' to be the parent`, { kind: 'group', id: parentId });
  }
}

const groupAdministration = [
  defineRoute({
    method: 'get', path: '/api/groups', operationId: 'listGroups', tag: 'identity', access: 'authenticated',
    summary: 'All organisational units, ordered by id; parentId gives the nesting.',
    responses: { 200: { description: 'The units.', schema: Items(GroupSchema) } },
    async handler({ services }) {
      return { items: await services.identity.listGroups() };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/groups', operationId: 'createGroup', tag: 'identity', access: ['admin'],
    summary: 'Create a unit, top-level or within parentId. 409 when the id is taken, 422 when the parent does not exist.',
    body: { schema: Type.Object({ id: NewId, name: Name, parentId: Type.Optional(Id) }, { additionalProperties: false }) },
    responses: { 201: { description: 'Created.', schema: GroupSchema }, 422: UnknownParent },
    status: 201,
    audit: { action: 'create', objectType: 'group' },
    async handler({ body, services, audit }) {
      Object.assign(audit, { objectId: body.id, details: { name: body.name, parentId: body.parentId ?? null } });
      await requireParent(services, body.parentId);
      // The check above can lose a race with a delete of the parent; the store's foreign key error then says the same.
      return unprocessableOnBadReference(() => services.identity.createGroup(body));
    },
  }),
  defineRoute({
    method: 'get', path: '/api/groups/{id}', operationId: 'getGroup', tag: 'identity', access: 'authenticated',
    summary: 'One unit.', params: IdParams,
    responses: { 200: { description: 'The unit.', schema: GroupSchema } },
    async handler({ params, services }) {
      return requireGroup(services, params.id);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/groups/{id}', operationId: 'updateGroup', tag: 'identity', access: ['admin'],
    summary: 'Rename or move a unit; parentId null makes it top-level. 409 when the move would put it inside itself.',
    params: IdParams,
    body: { schema: Type.Object({ name: Type.Optional(Name), parentId: Type.Optional(Type.Union([Id, Type.Null()])) }, { additionalProperties: false }) },
    responses: { 200: { description: 'The changed unit.', schema: GroupSchema }, 422: UnknownParent },
    audit: { action: 'update', objectType: 'group' },
    async handler({ params, body, services, audit }) {
      audit.details = { ...body };
      await requireGroup(services, params.id);
      await requireParent(services, body.parentId);
      return unprocessableOnBadReference(() => services.identity.updateGroup(params.id, body));
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/groups/{id}', operationId: 'deleteGroup', tag: 'identity', access: ['admin'],
    summary: 'Delete a unit and its memberships; 409 while it has sub-units.',
    params: IdParams, responses: { 204: { description: 'Deleted.' } }, status: 204,
    audit: { action: 'delete', objectType: 'group' },
    async handler({ params, services }) {
      await services.identity.deleteGroup(params.id);
      return undefined;
    },
  }),
];

const membershipAdministration = [
  defineRoute({
    method: 'get', path: '/api/groups/{id}/members', operationId: 'groupMembers', tag: 'identity', access: 'authenticated',
    summary: 'The direct members of a unit (members of its sub-units are listed there), ordered by id.', params: IdParams,
    responses: { 200: { description: 'The members.', schema: Items(MemberSchema) } },
    async handler({ params, services, principal }) {
      await requireGroup(services, params.id);
      const members = await services.identity.listMembers(params.id);
      if (hasRole(principal, 'admin')) return { items: members };
      return { items: members.map(({ id, displayName }) => ({ id, displayName })) };
    },
  }),
  defineRoute({
    method: 'put', path: '/api/groups/{id}/members/{userId}', operationId: 'addGroupMember', tag: 'identity', access: ['admin'],
    summary: 'Make a user a direct member of the unit; doing it again changes nothing.', params: MembershipParams,
    responses: { 204: { description: 'The user is a member.' } }, status: 204,
    audit: { action: 'add member', objectType: 'group' },
    async handler({ params, services, audit }) {
      audit.details = { userId: params.userId };
      await requireGroup(services, params.id);
      await requireUser(services, params.userId);
      await services.identity.addMember(params.id, params.userId);
      return undefined;
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/groups/{id}/members/{userId}', operationId: 'removeGroupMember', tag: 'identity', access: ['admin'],
    summary: 'End a direct membership; 404 when the user is not a direct member.', params: MembershipParams,
    responses: { 204: { description: 'Removed.' } }, status: 204,
    audit: { action: 'remove member', objectType: 'group' },
    async handler({ params, services, audit }) {
      audit.details = { userId: params.userId };
      await services.identity.removeMember(params.id, params.userId);
      return undefined;
    },
  }),
];

export const groupRoutes = [...groupAdministration, ...membershipAdministration];
