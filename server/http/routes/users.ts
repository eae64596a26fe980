/**
 * Identity administration, users and their API tokens: admins only. Answers
 * never carry a password hash or a token's secret, except the one answer that
 * issues a token; the audit records which fields changed, never their values.
 */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { HttpError, notFound } from '../errors.js';
import { Id, IdParams, maxStoredInteger, Timestamp } from '../schemas.js';
import { roles, IdentityNotFoundError, IdentityValidationError, type User } from '../../identity/IdentityStore.js';
import type { Services } from '../services.js';
import { forgetFailedLoginsOf } from '../loginAttempts.js';

/** Login names and unit ids end up in BPMN assignee expressions and URLs: no spaces, no slashes. */
export const NewId = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._-]+$' });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Email = Type.String({ format: 'email', maxLength: 320 });
const Password = Type.String({ minLength: 10, maxLength: 1000 });
const Roles = Type.Array(Type.Union(roles.map((role) => Type.Literal(role))), { maxItems: roles.length * 2 });

export const UserSchema = Type.Object({
  id: Type.String(), displayName: Type.String(), email: Type.Optional(Type.String()), roles: Type.Array(Type.String()),
  active: Type.Boolean(), hasPassword: Type.Boolean({ description: 'Whether the user can log in with a password; the hash itself is never shown.' }),
  createdAt: Timestamp,
});

/** Shared with groups.ts, which builds on this module (not the other way round, so the imports form no cycle). */
export const GroupSchema = Type.Object({
  id: Type.String(), name: Type.String(), parentId: Type.Optional(Type.String({ description: 'The enclosing unit; absent for a top-level unit.' })),
});

const TokenSchema = Type.Object({
  id: Type.String(), userId: Type.String(), name: Type.String(), createdAt: Timestamp,
  lastUsedAt: Type.Optional(Timestamp), revokedAt: Type.Optional(Timestamp),
});

export const Items = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item) });

/**
 * A body that names a user or group that does not exist, or breaks a rule of
 * the identity layer, is well-formed but unusable: 422, not the 404 that
 * errors.ts gives a missing path object, nor the 500 of an unmapped error.
 */
export async function unprocessableOnBadReference<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof IdentityNotFoundError) throw new HttpError(422, 'unprocessable', error.message, { kind: error.kind, id: error.id });
    if (error instanceof IdentityValidationError) throw new HttpError(422, 'unprocessable', error.message);
    throw error;
  }
}

export async function requireUser(services: Services, id: string): Promise<User> {
  const user = await services.identity.getUser(id);
  if (!user) throw notFound('user', id);
  return user;
}

const UserPatchSchema = Type.Object({
  displayName: Type.Optional(Name), email: Type.Optional(Type.Union([Email, Type.Null()], { description: 'null removes the address.' })),
  roles: Type.Optional(Roles), active: Type.Optional(Type.Boolean({ description: 'false locks the user out and ends their sessions.' })),
  password: Type.Optional(Type.Union([Password, Type.Null()], { description: 'null removes password login; any change ends the sessions.' })),
}, { additionalProperties: false });

const userAdministration = [
  defineRoute({
    method: 'get', path: '/api/users', operationId: 'listUsers', tag: 'identity', access: ['admin'],
    summary: 'Users ordered by id, optionally those whose id, name or e-mail contains the search text.',
    query: Type.Object({
      search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: maxStoredInteger, default: 0 }),
    }, { additionalProperties: false }),
    responses: { 200: { description: 'One page of users.', schema: Items(UserSchema) } },
    async handler({ query, services }) {
      return { items: await services.identity.listUsers(query) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/users', operationId: 'createUser', tag: 'identity', access: ['admin'],
    summary: 'Create a user; without a password they cannot log in with one (API tokens only). 409 when the id is taken.',
    body: { schema: Type.Object({ id: NewId, displayName: Name, email: Type.Optional(Email), password: Type.Optional(Password), roles: Roles }, { additionalProperties: false }) },
    responses: { 201: { description: 'Created.', schema: UserSchema } },
    status: 201,
    audit: { action: 'create', objectType: 'user' },
    async handler({ body, services, audit, now }) {
      audit.objectId = body.id;
      audit.details = { roles: body.roles, withPassword: body.password !== undefined };
      return await unprocessableOnBadReference(() => services.identity.createUser({ ...body, createdAt: now }));
    },
  }),
  defineRoute({
    method: 'get', path: '/api/users/{id}', operationId: 'getUser', tag: 'identity', access: ['admin'],
    summary: 'One user.', params: IdParams,
    responses: { 200: { description: 'The user.', schema: UserSchema } },
    async handler({ params, services }) {
      return await requireUser(services, params.id);
    },
  }),
  defineRoute({
    method: 'patch', path: '/api/users/{id}', operationId: 'updateUser', tag: 'identity', access: ['admin'],
    summary: 'Change a user. Deactivating them or changing their password ends their sessions.',
    params: IdParams, body: { schema: UserPatchSchema },
    responses: { 200: { description: 'The changed user.', schema: UserSchema } },
    audit: { action: 'update', objectType: 'user' },
    async handler({ params, body, services, audit }) {
      audit.details = { changed: Object.keys(body), ...(body.roles ? { roles: body.roles } : {}), ...(body.active !== undefined ? { active: body.active } : {}) };
      // The schema already admits only known roles, so the store's one failure left is the unknown user (404).
      const user = await services.identity.updateUser(params.id, body);
      // A stolen or shared session must not outlive the password it was opened with, nor a locked account.
      if (body.active === false || body.password !== undefined) await services.identity.deleteSessionsOf(user.id);
      return user;
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/users/{id}', operationId: 'deleteUser', tag: 'identity', access: ['admin'],
    summary: 'Delete a user with their memberships, absences, sessions and tokens; the audit keeps their id. To keep the account, deactivate it instead.',
    params: IdParams, responses: { 204: { description: 'Deleted.' } }, status: 204,
    audit: { action: 'delete', objectType: 'user' },
    async handler({ params, services }) {
      await services.identity.deleteUser(params.id);
      return undefined;
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/users/{id}/failed-logins', operationId: 'forgetFailedLogins', tag: 'identity', access: ['admin'],
    summary: 'Forget the failed logins counted for the user at every address, so that a user the login limit locked out can log in again at once.',
    params: IdParams, responses: { 204: { description: 'Forgotten (also when none were counted).' } }, status: 204,
    audit: { action: 'unlock', objectType: 'user' },
    async handler({ params, services, audit }) {
      await requireUser(services, params.id);
      audit.details = { addresses: await forgetFailedLoginsOf(services.knex, params.id) };
      return undefined;
    },
  }),
  defineRoute({
    method: 'get', path: '/api/users/{id}/groups', operationId: 'userGroups', tag: 'identity', access: ['admin'],
    summary: 'The units the user is a direct member of (not their parent units).', params: IdParams,
    responses: { 200: { description: 'The direct groups.', schema: Items(GroupSchema) } },
    async handler({ params, services }) {
      await requireUser(services, params.id);
      const direct = new Set(await services.identity.directGroupsOf(params.id));
      return { items: (await services.identity.listGroups()).filter((group) => direct.has(group.id)) };
    },
  }),
];

const tokenAdministration = [
  defineRoute({
    method: 'get', path: '/api/users/{id}/tokens', operationId: 'listApiTokens', tag: 'identity', access: ['admin'],
    summary: 'The API tokens of a user, revoked ones included; never their secrets.', params: IdParams,
    responses: { 200: { description: 'The tokens.', schema: Items(TokenSchema) } },
    async handler({ params, services }) {
      await requireUser(services, params.id);
      return { items: await services.identity.listApiTokens(params.id) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/users/{id}/tokens', operationId: 'createApiToken', tag: 'identity', access: ['admin'],
    summary: 'Issue an API token for the user (sent as Authorization: Bearer). The token is shown in this answer only.',
    params: IdParams, body: { schema: Type.Object({ name: Name }, { additionalProperties: false }) },
    responses: { 201: { description: 'Issued; store the token now.', schema: Type.Object({ id: Type.String(), token: Type.String() }) } },
    status: 201,
    audit: { action: 'create', objectType: 'api token' },
    async handler({ params, body, services, audit, now }) {
      await requireUser(services, params.id);
      const issued = await services.identity.createApiToken(params.id, body.name, now);
      Object.assign(audit, { objectId: issued.id, details: { userId: params.id, name: body.name } });
      return issued;
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/tokens/{id}', operationId: 'revokeApiToken', tag: 'identity', access: ['admin'],
    summary: 'Revoke an API token; it stays listed with its revocation time.',
    params: Type.Object({ id: Id }, { additionalProperties: false }), responses: { 204: { description: 'Revoked.' } }, status: 204,
    audit: { action: 'revoke', objectType: 'api token' },
    async handler({ params, services, audit, now }) {
      // Looked up first so that the audit names whose token it was.
      const token = await services.identity.getApiToken(params.id);
      if (!token) throw notFound('api token', params.id);
      audit.details = { userId: token.userId };
      await services.identity.revokeApiToken(params.id, now);
      return undefined;
    },
  }),
];

export const userRoutes = [...userAdministration, ...tokenAdministration];
