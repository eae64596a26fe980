/**
 * Table rows → domain objects, one function per table, so that column names
 * are spelled out in one place. Null columns become absent fields.
 */
import type { ApiTokenInfo, Deputy, Group, Role, User } from './types.js';

export interface UserRow {
  id: string;
  display_name: string;
  email: string | null;
  password_hash: string | null;
  roles: string[];
  active: boolean;
  created_at: Date;
}

export interface GroupRow {
  id: string;
  name: string;
  parent_id: string | null;
}

export interface DeputyRow {
  id: string;
  absent_user_id: string;
  deputy_user_id: string;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
}

export interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** The user columns to select: everything, since the hash is needed to tell `hasPassword`. */
export const userColumns = ['id', 'display_name', 'email', 'password_hash', 'roles', 'active', 'created_at'];

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    displayName: row.display_name,
    ...(row.email === null ? {} : { email: row.email }),
    // The store writes only known roles, so the cast names what is there.
    roles: row.roles as Role[],
    active: row.active,
    hasPassword: row.password_hash !== null,
    createdAt: new Date(row.created_at),
  };
}

export function groupFromRow(row: GroupRow): Group {
  return { id: row.id, name: row.name, ...(row.parent_id === null ? {} : { parentId: row.parent_id }) };
}

export function deputyFromRow(row: DeputyRow): Deputy {
  return {
    id: row.id,
    absentUserId: row.absent_user_id,
    deputyUserId: row.deputy_user_id,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    createdAt: new Date(row.created_at),
  };
}

export function apiTokenFromRow(row: ApiTokenRow): ApiTokenInfo {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: new Date(row.created_at),
    ...(row.last_used_at === null ? {} : { lastUsedAt: new Date(row.last_used_at) }),
    ...(row.revoked_at === null ? {} : { revokedAt: new Date(row.revoked_at) }),
  };
}
