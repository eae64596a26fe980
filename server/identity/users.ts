/**
 * Users: accounts with roles and an optional argon2id password. Deleting a
 * user removes the row and, by cascade, memberships, deputy periods, sessions
 * and API tokens; the audit log, comments and engine history keep the id as
 * plain text, so the record of what someone did survives. To keep the account
 * but stop it, set `active: false` instead (sessions and tokens stop working).
 */
import type { Knex } from 'knex';
import { IdentityNotFoundError, IdentityValidationError, mapConstraintErrors } from './errors.js';
import { hashPassword, verifyNothing, verifyPassword } from './passwords.js';
import { userFromRow, type UserRow } from './rows.js';
import { isRole, type Role, type User } from './types.js';

export interface NewUser {
  id: string;
  displayName: string;
  email?: string;
  /** Absent: the user cannot log in with a password. */
  password?: string;
  roles: Role[];
  active?: boolean;
  createdAt?: Date;
}

export interface UserPatch {
  displayName?: string;
  /** null removes the address. */
  email?: string | null;
  roles?: Role[];
  active?: boolean;
  /** null removes the password (no password login any more). */
  password?: string | null;
}

export interface UserQuery {
  /** Part of the id, display name or e-mail address, case-insensitive. */
  search?: string;
  limit?: number;
  offset?: number;
}

function checkRoles(given: readonly string[]): void {
  const unknown = given.filter((role) => !isRole(role));
  if (unknown.length > 0) throw new IdentityValidationError(`unknown roles: ${unknown.join(', ')}`);
}

/** `%` and `_` in a search are meant literally. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export class Users {
  constructor(private readonly knex: Knex) {}

  async create(user: NewUser): Promise<User> {
    checkRoles(user.roles);
    const row = {
      id: user.id, display_name: user.displayName, email: user.email ?? null,
      password_hash: user.password === undefined ? null : await hashPassword(user.password),
      roles: [...new Set(user.roles)], active: user.active ?? true, created_at: user.createdAt ?? new Date(),
    };
    const [created] = await mapConstraintErrors(() => this.knex<UserRow>('users').insert(row).returning('*'),
      user.id, () => new IdentityNotFoundError('user', user.id));
    return userFromRow(created as UserRow);
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.knex<UserRow>('users').where({ id }).first();
    return row ? userFromRow(row) : undefined;
  }

  /** Ordered by id; `limit` defaults to 100. */
  async list(query: UserQuery = {}): Promise<User[]> {
    const builder = this.knex<UserRow>('users').orderBy('id')
      .limit(query.limit ?? 100).offset(query.offset ?? 0);
    if (query.search) {
      const pattern = likePattern(query.search);
      void builder.where((where) => where.whereILike('id', pattern).orWhereILike('display_name', pattern)
        .orWhereILike('email', pattern));
    }
    return (await builder).map(userFromRow);
  }

  async update(id: string, patch: UserPatch): Promise<User> {
    if (patch.roles) checkRoles(patch.roles);
    const changes: Partial<UserRow> = {};
    if (patch.displayName !== undefined) changes.display_name = patch.displayName;
    if (patch.email !== undefined) changes.email = patch.email;
    if (patch.roles !== undefined) changes.roles = [...new Set(patch.roles)];
    if (patch.active !== undefined) changes.active = patch.active;
    if (patch.password !== undefined) changes.password_hash = patch.password === null ? null : await hashPassword(patch.password);
    const query = this.knex<UserRow>('users').where({ id });
    const [row] = Object.keys(changes).length > 0
      ? await query.update(changes).returning('*')
      : await query.select('*');
    if (!row) throw new IdentityNotFoundError('user', id);
    return userFromRow(row as UserRow);
  }

  async delete(id: string): Promise<void> {
    // `returning` rather than the count: knex-pglite does not report how many rows a DELETE removed.
    const deleted = await this.knex('users').where({ id }).delete().returning('id');
    if (deleted.length === 0) throw new IdentityNotFoundError('user', id);
  }

  /**
   * The user when the password is right and the account active, otherwise
   * undefined. An unknown id, or one without a password, still costs one
   * verification, so timing does not tell which ids exist.
   */
  async verifyLogin(id: string, password: string): Promise<User | undefined> {
    const row = await this.knex<UserRow>('users').where({ id }).first();
    if (!row?.password_hash) return verifyNothing(password).then(() => undefined);
    const right = await verifyPassword(row.password_hash, password);
    return right && row.active ? userFromRow(row) : undefined;
  }
}
