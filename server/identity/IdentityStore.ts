/**
 * Identity and access data in one object for the server: users, groups
 * (nested organisational units) and memberships, deputies, login sessions and
 * API tokens. Each area lives in its own class (users.ts, groups.ts, …) whose
 * methods carry the documentation; this class hands calls through, so that the
 * HTTP layer needs a single dependency. All SQL uses knex bindings.
 */
import type { Knex } from 'knex';
import { ApiTokens } from './apiTokens.js';
import { callerFacts, type CallerFacts } from './callers.js';
import { Deputies, type DeputyQuery, type NewDeputy } from './deputies.js';
import { Groups, type GroupPatch, type NewGroup } from './groups.js';
import { Sessions } from './sessions.js';
import type { ApiTokenInfo, Deputy, Group, NewSession, Session, User } from './types.js';
import { Users, type NewUser, type UserPatch, type UserQuery } from './users.js';

export { roles, isRole, type Role, type User, type Group, type Deputy, type Session, type NewSession, type ApiTokenInfo } from './types.js';
export type { NewUser, UserPatch, UserQuery, NewGroup, GroupPatch, NewDeputy, DeputyQuery };
export { IdentityConflictError, IdentityNotFoundError, IdentityValidationError } from './errors.js';

export class IdentityStore {
  private readonly users: Users;
  private readonly groups: Groups;
  private readonly deputies: Deputies;
  private readonly sessions: Sessions;
  private readonly apiTokens: ApiTokens;

  constructor(private readonly knex: Knex) {
    this.users = new Users(knex);
    this.groups = new Groups(knex);
    this.deputies = new Deputies(knex);
    this.sessions = new Sessions(knex);
    this.apiTokens = new ApiTokens(knex);
  }

  // Users — see users.ts. Deleting removes the account; `active: false` keeps it but locks it out.
  createUser(user: NewUser): Promise<User> { return this.users.create(user); }
  getUser(id: string): Promise<User | undefined> { return this.users.get(id); }
  listUsers(query?: UserQuery): Promise<User[]> { return this.users.list(query); }
  updateUser(id: string, patch: UserPatch): Promise<User> { return this.users.update(id, patch); }
  deleteUser(id: string): Promise<void> { return this.users.delete(id); }
  verifyLogin(id: string, password: string): Promise<User | undefined> { return this.users.verifyLogin(id, password); }

  // Groups and memberships — see groups.ts.
  createGroup(group: NewGroup): Promise<Group> { return this.groups.create(group); }
  getGroup(id: string): Promise<Group | undefined> { return this.groups.get(id); }
  listGroups(): Promise<Group[]> { return this.groups.list(); }
  updateGroup(id: string, patch: GroupPatch): Promise<Group> { return this.groups.update(id, patch); }
  deleteGroup(id: string): Promise<void> { return this.groups.delete(id); }
  addMember(groupId: string, userId: string): Promise<void> { return this.groups.addMember(groupId, userId); }
  removeMember(groupId: string, userId: string): Promise<void> { return this.groups.removeMember(groupId, userId); }
  listMembers(groupId: string): Promise<User[]> { return this.groups.listMembers(groupId); }
  directGroupsOf(userId: string): Promise<string[]> { return this.groups.directGroupsOf(userId); }
  unitsSupervisedBy(userId: string): Promise<string[]> { return this.groups.unitsSupervisedBy(userId); }

  // Deputies — see deputies.ts.
  createDeputy(deputy: NewDeputy): Promise<Deputy> { return this.deputies.create(deputy); }
  getDeputy(id: string): Promise<Deputy | undefined> { return this.deputies.get(id); }
  listDeputies(query?: DeputyQuery): Promise<Deputy[]> { return this.deputies.list(query); }
  deleteDeputy(id: string): Promise<void> { return this.deputies.delete(id); }

  // The caller of a request — see callers.ts.
  callerFacts(userId: string, now: Date): Promise<CallerFacts | undefined> { return callerFacts(this.knex, userId, now); }

  // Sessions — see sessions.ts.
  createSession(userId: string, ttlMs: number, now: Date): Promise<NewSession> { return this.sessions.create(userId, ttlMs, now); }
  findSession(token: string, now: Date): Promise<Session | undefined> { return this.sessions.find(token, now); }
  touchSession(token: string, now: Date, ttlMs?: number): Promise<boolean> { return this.sessions.touch(token, now, ttlMs); }
  deleteSession(token: string): Promise<boolean> { return this.sessions.delete(token); }
  deleteSessionsOf(userId: string): Promise<number> { return this.sessions.deleteForUser(userId); }
  deleteExpiredSessions(now: Date): Promise<number> { return this.sessions.deleteExpired(now); }

  // API tokens — see apiTokens.ts.
  createApiToken(userId: string, name: string, now: Date): Promise<{ id: string; token: string }> { return this.apiTokens.create(userId, name, now); }
  findApiToken(token: string, now?: Date): Promise<{ id: string; userId: string } | undefined> { return this.apiTokens.find(token, now); }
  getApiToken(id: string): Promise<ApiTokenInfo | undefined> { return this.apiTokens.get(id); }
  listApiTokens(userId: string): Promise<ApiTokenInfo[]> { return this.apiTokens.list(userId); }
  revokeApiToken(id: string, now?: Date): Promise<void> { return this.apiTokens.revoke(id, now); }
}
