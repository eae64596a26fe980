/**
 * The login rate limits' counter store (express-rate-limit's Store), in the
 * database: all servers on one database count the same failed logins of a
 * key (a client address, or a user id at an address), so running more
 * servers does not allow more guesses. A window starts at a key's first
 * counted attempt and its count starts again at 1 once the window has passed.
 * Each limit has its own prefix, so their counts of one key never mix.
 */
import type { Knex } from 'knex';
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';

/** The prefix of the limit on one user id at one client address; see perUserKey. */
export const perUserPrefix = 'login-user:';

/**
 * The key that limit counts under: the address, then the user id as a login
 * names it (lower case, trimmed). An address key never holds a space, so the
 * first space ends it.
 */
export function perUserKey(addressKey: string, loginUserId: string): string {
  return `${addressKey} ${loginUserId}`;
}

/**
 * Forgets the failed logins counted for a user id at every address, so that
 * the user can log in again at once: what the help desk does for a colleague
 * who locked themselves out, rather than have them wait for the window.
 * The limit per address stays, as it is not theirs alone. Answers how many
 * addresses had counts.
 */
export async function forgetFailedLoginsOf(knex: Knex, userId: string): Promise<number> {
  // The keys come back rather than a count, which knex gives on pg but not through knex-pglite.
  const forgotten = await knex('login_attempts')
    .where('key', 'like', `${perUserPrefix}%`)
    .whereRaw("substr(key, position(' ' in key) + 1) = ?", [userId.trim().toLowerCase()])
    .delete()
    .returning('key') as unknown[];
  return forgotten.length;
}

export class DatabaseLoginAttempts implements Store {
  /** Keys count across every server on the database (express-rate-limit checks double counting with this). */
  readonly localKeys = false;
  private sweptAt = 0;

  readonly prefix: string;
  /**
   * The clock is the real one, not the server's: express-rate-limit compares
   * the reset time it gets from here with Date.now() (it takes no success
   * back after a window has passed). Tests of the window give their own.
   */
  private readonly clock: () => Date;

  constructor(private readonly knex: Knex, private readonly windowMilliseconds: number, options: { prefix?: string; clock?: () => Date } = {}) {
    this.prefix = options.prefix ?? 'login:';
    this.clock = options.clock ?? (() => new Date());
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.knex('login_attempts').where({ key: this.prefix + key }).first() as { hits: number; resets_at: Date } | undefined;
    if (!row) return undefined;
    const resetsAt = new Date(row.resets_at);
    return resetsAt <= this.clock() ? undefined : { totalHits: row.hits, resetTime: resetsAt };
  }

  /** One statement, so that concurrent attempts on several servers each count. */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.clock();
    await this.sweep(now);
    const resetsAt = new Date(now.getTime() + this.windowMilliseconds);
    const result = await this.knex.raw(`
      insert into login_attempts as a (key, hits, resets_at) values (?, 1, ?)
      on conflict (key) do update set
        hits = case when a.resets_at <= ? then 1 else a.hits + 1 end,
        resets_at = case when a.resets_at <= ? then excluded.resets_at else a.resets_at end
      returning hits, resets_at`, [this.prefix + key, resetsAt, now, now]) as { rows: { hits: number; resets_at: Date }[] };
    const row = result.rows[0]!;
    return { totalHits: row.hits, resetTime: new Date(row.resets_at) };
  }

  /** A login that succeeded is not counted (skipSuccessfulRequests). */
  async decrement(key: string): Promise<void> {
    await this.knex('login_attempts').where({ key: this.prefix + key }).where('hits', '>', 0).decrement('hits', 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.knex('login_attempts').where({ key: this.prefix + key }).delete();
  }

  async resetAll(): Promise<void> {
    await this.knex('login_attempts').where('key', 'like', `${this.prefix}%`).delete();
  }

  /** Removes windows that have passed, at most once per window length per server, so the table holds only live windows. */
  private async sweep(now: Date): Promise<void> {
    if (now.getTime() - this.sweptAt < this.windowMilliseconds) return;
    this.sweptAt = now.getTime();
    await this.knex('login_attempts').where('resets_at', '<=', now).delete();
  }
}
