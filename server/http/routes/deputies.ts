/**
 * Deputies (Vertretungen): absence periods with a substitute. Admins manage all
 * of them; an employee registers and withdraws their own absences, and sees the
 * periods in which they are absent or stand in, nobody else's.
 */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { forbidden, HttpError, notFound } from '../errors.js';
import { hasRole, type Principal } from '../access.js';
import { ErrorSchema, Id, IdParams, Timestamp } from '../schemas.js';
import type { Deputy } from '../../identity/IdentityStore.js';
import type { Services } from '../services.js';
import { Items, unprocessableOnBadReference } from './users.js';

const DeputySchema = Type.Object({
  id: Type.String(),
  absentUserId: Type.String(),
  deputyUserId: Type.String({ description: 'Works the absent user\'s personal user tasks from startsAt (inclusive) to endsAt (exclusive).' }),
  startsAt: Timestamp, endsAt: Timestamp, createdAt: Timestamp,
});

const NewDeputySchema = Type.Object({ absentUserId: Id, deputyUserId: Id, startsAt: Timestamp, endsAt: Timestamp }, { additionalProperties: false });

function involves(deputy: Deputy, userId: string): boolean {
  return deputy.absentUserId === userId || deputy.deputyUserId === userId;
}

/** Admins see every period (or one user's); others only their own, narrowed further by userId when given. */
async function visibleDeputies(services: Services, principal: Principal, userId: string | undefined): Promise<Deputy[]> {
  if (hasRole(principal, 'admin')) return services.identity.listDeputies(userId === undefined ? {} : { userId });
  const own = await services.identity.listDeputies({ userId: principal.userId });
  return userId === undefined ? own : own.filter((deputy) => involves(deputy, userId));
}

/** Both people must exist, and a deputy must be able to log in to do the work; otherwise the body is unusable (422). */
async function requireUsable(services: Services, absentUserId: string, deputyUserId: string): Promise<void> {
  const [absent, deputy] = await Promise.all([services.identity.getUser(absentUserId), services.identity.getUser(deputyUserId)]);
  if (!absent) throw new HttpError(422, 'unprocessable', `there is no user '${absentUserId}'`, { kind: 'user', id: absentUserId });
  if (!deputy?.active) throw new HttpError(422, 'unprocessable', `there is no active user '${deputyUserId}'`, { kind: 'user', id: deputyUserId });
}

export const deputyRoutes = [
  defineRoute({
    method: 'get', path: '/api/deputies', operationId: 'listDeputies', tag: 'identity', access: 'authenticated',
    summary: 'Absence periods ordered by start: all of them (or one user\'s) for admins; for others those in which they are absent or the deputy.',
    query: Type.Object({ userId: Type.Optional(Id) }, { additionalProperties: false }),
    responses: { 200: { description: 'The periods.', schema: Items(DeputySchema) } },
    async handler({ query, services, principal }) {
      return { items: await visibleDeputies(services, principal, query.userId) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/deputies', operationId: 'createDeputy', tag: 'identity', access: 'authenticated',
    summary: 'Register an absence with its deputy. Admins do it for anyone; everyone else for their own absences only (403 otherwise). 422 for an unknown user or a period that ends before it starts.',
    body: { schema: NewDeputySchema },
    responses: { 201: { description: 'Registered.', schema: DeputySchema }, 422: { description: 'A user does not exist (or the deputy is inactive), or the period is empty.', schema: ErrorSchema } },
    status: 201,
    audit: { action: 'create', objectType: 'deputy' },
    async handler({ body, services, principal, audit, now }) {
      audit.details = { ...body };
      if (!hasRole(principal, 'admin') && body.absentUserId !== principal.userId) throw forbidden('you may register only your own absences');
      await requireUsable(services, body.absentUserId, body.deputyUserId);
      const deputy = await unprocessableOnBadReference(() => services.identity.createDeputy({
        absentUserId: body.absentUserId, deputyUserId: body.deputyUserId, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt), createdAt: now,
      }));
      audit.objectId = deputy.id;
      return deputy;
    },
  }),
  defineRoute({
    method: 'delete', path: '/api/deputies/{id}', operationId: 'deleteDeputy', tag: 'identity', access: 'authenticated',
    summary: 'Withdraw an absence period: admins any, others only their own absences (403 otherwise).',
    params: IdParams, responses: { 204: { description: 'Withdrawn.' } }, status: 204,
    audit: { action: 'delete', objectType: 'deputy' },
    async handler({ params, services, principal, audit }) {
      const deputy = await services.identity.getDeputy(params.id);
      if (!deputy) throw notFound('deputy', params.id);
      audit.details = { absentUserId: deputy.absentUserId, deputyUserId: deputy.deputyUserId };
      // The deputy may not withdraw: whether someone stands in is the absent person's (or an admin's) decision.
      if (!hasRole(principal, 'admin') && deputy.absentUserId !== principal.userId) throw forbidden('you may withdraw only your own absences');
      await services.identity.deleteDeputy(deputy.id);
      return undefined;
    },
  }),
];
