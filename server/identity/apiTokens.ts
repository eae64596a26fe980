/**
 * API tokens for integrations, sent as `Authorization: Bearer umt_<id>_<secret>`.
 * The id finds the row without a scan; only a SHA-256 hash of the secret is
 * stored, and it is compared in constant time.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { IdentityNotFoundError, mapConstraintErrors } from './errors.js';
import { apiTokenFromRow, type ApiTokenRow } from './rows.js';
import { randomSecret, sameHash, secretHash } from './secrets.js';
import type { ApiTokenInfo } from './types.js';

const prefix = 'umt_';

/** The id and secret of a token; the id (a UUID) has no `_`, the secret may. */
function parse(token: string): { id: string; secret: string } | undefined {
  if (!token.startsWith(prefix)) return undefined;
  const separator = token.indexOf('_', prefix.length);
  if (separator < 0) return undefined;
  return { id: token.slice(prefix.length, separator), secret: token.slice(separator + 1) };
}

export class ApiTokens {
  constructor(private readonly knex: Knex) {}

  /** Issues a token; the returned `token` is the only time the secret is seen. */
  async create(userId: string, name: string, now: Date): Promise<{ id: string; token: string }> {
    const id = randomUUID();
    const secret = randomSecret();
    const row = { id, user_id: userId, name, secret_hash: secretHash(secret), created_at: now };
    await mapConstraintErrors(() => this.knex('api_tokens').insert(row), id, () => new IdentityNotFoundError('user', userId));
    return { id, token: `${prefix}${id}_${secret}` };
  }

  /** The token's id and user when it is well-formed, known, not revoked, and its user active; records the use. */
  async find(token: string, now: Date = new Date()): Promise<{ id: string; userId: string } | undefined> {
    const parts = parse(token);
    if (!parts) return undefined;
    const row = await this.knex('api_tokens').join('users', 'users.id', 'api_tokens.user_id')
      .select<Pick<ApiTokenRow, 'id' | 'user_id' | 'secret_hash'>[]>('api_tokens.id', 'api_tokens.user_id', 'api_tokens.secret_hash')
      .where('api_tokens.id', parts.id).whereNull('api_tokens.revoked_at').where('users.active', true).first();
    if (!row || !sameHash(row.secret_hash, secretHash(parts.secret))) return undefined;
    await this.knex('api_tokens').where({ id: row.id }).update({ last_used_at: now });
    return { id: row.id, userId: row.user_id };
  }

  async get(id: string): Promise<ApiTokenInfo | undefined> {
    const row = await this.knex<ApiTokenRow>('api_tokens').where({ id }).first();
    return row ? apiTokenFromRow(row) : undefined;
  }

  /** A user's tokens, revoked ones included, oldest first; never with secrets. */
  async list(userId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.knex<ApiTokenRow>('api_tokens').where({ user_id: userId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
    return rows.map(apiTokenFromRow);
  }

  /** Revoking twice keeps the first time. */
  async revoke(id: string, now: Date = new Date()): Promise<void> {
    const updated = await this.knex('api_tokens').where({ id }).update({ revoked_at: this.knex.raw('coalesce(revoked_at, ?)', [now]) });
    if (updated === 0) throw new IdentityNotFoundError('api token', id);
  }
}
