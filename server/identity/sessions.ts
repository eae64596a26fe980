/**
 * Login sessions. The cookie carries a random token; the table keeps only its
 * SHA-256 hash, so reading the table (a backup, a log) does not give anyone a
 * session. Each session has its own CSRF token for the double-submit check.
 */
import type { Knex } from 'knex';
import { IdentityNotFoundError, mapConstraintErrors } from './errors.js';
import { randomSecret, secretHash } from './secrets.js';
import type { NewSession, Session } from './types.js';

interface SessionRow {
  user_id: string;
  csrf_token: string;
  expires_at: Date;
}

// Counts come from `returning`: knex-pglite does not report the row count of a DELETE.
export class Sessions {
  constructor(private readonly knex: Knex) {}

  /** Starts a session of `ttlMs`; the token is returned here once and never again. */
  async create(userId: string, ttlMs: number, now: Date): Promise<NewSession> {
    const token = randomSecret();
    const csrfToken = randomSecret();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const row = { id_hash: secretHash(token), user_id: userId, csrf_token: csrfToken, created_at: now, expires_at: expiresAt, last_seen_at: now };
    await mapConstraintErrors(() => this.knex('sessions').insert(row), userId, () => new IdentityNotFoundError('user', userId));
    return { token, csrfToken, expiresAt };
  }

  /** The session for a token, or undefined when it is unknown, expired or its user is inactive. */
  async find(token: string, now: Date): Promise<Session | undefined> {
    const row = await this.knex('sessions').join('users', 'users.id', 'sessions.user_id')
      .select<SessionRow[]>('sessions.user_id', 'sessions.csrf_token', 'sessions.expires_at')
      .where('sessions.id_hash', secretHash(token)).where('sessions.expires_at', '>', now).where('users.active', true)
      .first();
    return row ? { userId: row.user_id, csrfToken: row.csrf_token, expiresAt: new Date(row.expires_at) } : undefined;
  }

  /**
   * Notes activity at `now`; with `ttlMs`, the expiry slides to now + ttlMs
   * (an idle timeout). False when the session is unknown or expired.
   */
  async touch(token: string, now: Date, ttlMs?: number): Promise<boolean> {
    const changes = ttlMs === undefined ? { last_seen_at: now } : { last_seen_at: now, expires_at: new Date(now.getTime() + ttlMs) };
    const updated = await this.knex('sessions').where({ id_hash: secretHash(token) }).where('expires_at', '>', now).update(changes);
    return updated > 0;
  }

  /** Logout: false when there was no such session (logging out twice is no error). */
  async delete(token: string): Promise<boolean> {
    return (await this.knex('sessions').where({ id_hash: secretHash(token) }).delete().returning('id_hash')).length > 0;
  }

  /** Ends all of a user's sessions, e.g. after a password change or deactivation; answers how many. */
  async deleteForUser(userId: string): Promise<number> {
    return (await this.knex('sessions').where({ user_id: userId }).delete().returning('id_hash')).length;
  }

  /** Housekeeping; answers how many were removed. */
  async deleteExpired(now: Date): Promise<number> {
    return (await this.knex('sessions').where('expires_at', '<=', now).delete().returning('id_hash')).length;
  }
}
