/**
 * Who is calling: an API token (`Authorization: Bearer umt_…`, for
 * integrations) or a session cookie (browsers). Cookie sessions must also send
 * their CSRF token on every state-changing request, since a browser attaches
 * the cookie to requests that other sites make it send.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Principal } from './access.js';
import { HttpError, unauthenticated } from './errors.js';
import type { Services } from './services.js';

export const sessionCookie = 'umlauf_session';
export const csrfHeader = 'x-csrf-token';

export interface Caller {
  principal: Principal;
  /** Cookie sessions only: the token that state-changing requests must echo. */
  csrfToken?: string;
}

/** The caller, or undefined for an anonymous request; a wrong or revoked token is refused outright. */
export async function identifyCaller(req: Request, services: Services, now: Date): Promise<Caller | undefined> {
  const authorization = req.get('authorization');
  if (authorization !== undefined) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    const found = token ? await services.identity.findApiToken(token, now) : undefined;
    if (!found) throw unauthenticated('the API token is not valid');
    const principal = await principalOf(found.userId, 'token', services, now);
    if (!principal) throw unauthenticated('the API token is not valid');
    return { principal };
  }
  const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[sessionCookie];
  if (!cookie) return undefined;
  const session = await services.identity.findSession(cookie, now);
  if (!session) return undefined;
  const principal = await principalOf(session.userId, 'session', services, now);
  return principal ? { principal, csrfToken: session.csrfToken } : undefined;
}

export async function principalOf(userId: string, via: Principal['via'], services: Services, now: Date): Promise<Principal | undefined> {
  const facts = await services.identity.callerFacts(userId, now);
  if (!facts || !facts.user.active) return undefined;
  const { user, groups, directGroups, deputyFor } = facts;
  return { userId, displayName: user.displayName, roles: user.roles, groups, directGroups, deputyFor, via };
}

/** Refuses a state-changing cookie request whose CSRF header does not match its session. */
export function checkCsrf(req: Request, caller: Caller | undefined): void {
  if (!caller?.csrfToken || ['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
  const sent = Buffer.from(req.get(csrfHeader) ?? '');
  const expected = Buffer.from(caller.csrfToken);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new HttpError(403, 'csrf_failed', `send the session's CSRF token in the ${csrfHeader} header (from POST /api/login or GET /api/me)`);
  }
}

export function setSessionCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(sessionCookie, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(sessionCookie, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}
