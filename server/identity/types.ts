/** The identity layer's domain objects, as the rest of the server sees them. */

export const roles = ['admin', 'designer', 'supervisor', 'employee', 'integration'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/** A person or an integration account; `id` is the login name that BPMN assignees name. */
export interface User {
  id: string;
  displayName: string;
  email?: string;
  roles: Role[];
  active: boolean;
  /** Whether the user can log in with a password (the hash itself never leaves the store). */
  hasPassword: boolean;
  createdAt: Date;
}

/** An organisational unit; units nest through `parentId`. */
export interface Group {
  id: string;
  name: string;
  parentId?: string;
}

/** `deputyUserId` stands in for `absentUserId` from `startsAt` (inclusive) to `endsAt` (exclusive). */
export interface Deputy {
  id: string;
  absentUserId: string;
  deputyUserId: string;
  startsAt: Date;
  endsAt: Date;
  createdAt: Date;
}

export interface NewSession {
  /** The secret for the cookie; only its hash is stored, so this is the one chance to read it. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface Session {
  userId: string;
  csrfToken: string;
  expiresAt: Date;
}

/** An API token as listed: never with its secret. */
export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}
