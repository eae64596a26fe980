/** Logging in and out, and who am I. */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { HttpError } from '../errors.js';
import { clearSessionCookie, principalOf, sessionCookie, setSessionCookie } from '../authentication.js';
import type { Principal } from '../access.js';
import { Empty } from '../schemas.js';
import type { Services } from '../services.js';

const Me = Type.Object({
  userId: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  groups: Type.Array(Type.String(), { description: 'The units the user belongs to, with their parent units.' }),
  deputyFor: Type.Array(Type.String(), { description: 'Absent colleagues whose personal user tasks the user works now.' }),
  csrfToken: Type.Optional(Type.String({ description: 'Send it as X-CSRF-Token on every state-changing request of this session.' })),
});

/** Secure cookies when the users reach Umlauf over TLS, directly or through a proxy that says so. */
function secure(services: Services, protocol: string): boolean {
  return protocol === 'https' || services.http.baseUrl.startsWith('https:');
}

export const authRoutes = [
  defineRoute({
    method: 'post', path: '/api/login', operationId: 'login', tag: 'session', access: 'public',
    summary: 'Log in with user id and password; sets the HttpOnly session cookie and returns the CSRF token.',
    body: { schema: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }) },
    responses: { 200: { description: 'Logged in.', schema: Me } },
    audit: { action: 'login', objectType: 'session' },
    async handler({ body, services, req, res, audit, now }) {
      audit.actorId = body.userId;
      const user = await services.identity.verifyLogin(body.userId, body.password);
      if (!user) throw new HttpError(401, 'unauthenticated', 'the user id or the password is wrong');
      const session = await services.identity.createSession(user.id, services.http.sessionMilliseconds, now);
      setSessionCookie(res, session.token, session.expiresAt, secure(services, req.protocol));
      const principal = await principalOf(user.id, 'session', services, now);
      if (!principal) throw new HttpError(401, 'unauthenticated', 'the user id or the password is wrong');
      return { ...me(principal), csrfToken: session.csrfToken };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/logout', operationId: 'logout', tag: 'session', access: 'authenticated',
    summary: 'End the session of this cookie.',
    body: { schema: Empty },
    responses: { 204: { description: 'Logged out.' } },
    status: 204,
    audit: { action: 'logout', objectType: 'session' },
    async handler({ services, req, res }) {
      const token = (req.cookies as Record<string, string | undefined>)[sessionCookie];
      if (token) await services.identity.deleteSession(token);
      clearSessionCookie(res, secure(services, req.protocol));
      return undefined;
    },
  }),
  defineRoute({
    method: 'get', path: '/api/me', operationId: 'me', tag: 'session', access: 'authenticated',
    summary: 'The caller: roles, units, whom they stand in for, and the session CSRF token.',
    responses: { 200: { description: 'The caller.', schema: Me } },
    async handler({ principal, csrfToken }) {
      return { ...me(principal), ...(csrfToken ? { csrfToken } : {}) };
    },
  }),
];

function me(principal: Principal) {
  const { userId, displayName, roles, groups, deputyFor } = principal;
  return { userId, displayName, roles, groups, deputyFor };
}
