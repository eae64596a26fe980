/**
 * Authorization, in one place: who may call which route (by role), which user
 * tasks a person sees and may work, and which process instances they may read.
 * The inbox query (server/inbox/InboxQuery.ts) applies the same user task rule
 * in SQL; the access specs check that both agree.
 */
import type { UserTask } from '../../engine/index.js';
import type { Role } from '../identity/IdentityStore.js';
import { conflict, forbidden, notFound, unauthenticated } from './errors.js';
import type { Access } from './route.js';

export interface Principal {
  userId: string;
  displayName: string;
  roles: Role[];
  /** The user's organisational units with all their ancestors (a member of a sub-unit belongs to the unit). */
  groups: string[];
  /** The user's own units (direct memberships), recorded with the instances they start. */
  directGroups: string[];
  /** Colleagues who are absent now and whose deputy this user is (never a deputy's deputy). */
  deputyFor: string[];
  /** How the request proved who it is. */
  via: 'session' | 'token';
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}

/** Throws 401 or 403 when the route's access rule does not admit the caller. */
export function checkRouteAccess(access: Access, principal: Principal | undefined): void {
  if (access === 'public') return;
  if (!principal) throw unauthenticated();
  if (access === 'authenticated') return;
  if (!access.some((role) => hasRole(principal, role))) throw forbidden(`this needs the role ${access.join(' or ')}`);
}

/** How a person stands to a user task: working it themselves, or as a deputy for an absent colleague. */
export interface UserTaskRelation {
  /** Assigned to them (or to the colleague they stand in for). */
  assigned: boolean;
  /** Offered to them or their groups (or the colleague's personal offer) while nobody has claimed it. */
  candidate: boolean;
  /** Set when the relation exists only through a deputyship: whom they act for. */
  onBehalfOf?: string;
}

/**
 * A user task belongs in someone's inbox when it is assigned to them, or
 * unclaimed and offered to them personally or to one of their groups. A deputy
 * sees the absent colleague's personal tasks (assigned or offered to the
 * colleague by name), not the colleague's group tasks, which the group's other
 * members still see.
 */
export function userTaskRelation(principal: Principal, task: Pick<UserTask, 'assignee' | 'candidateUsers' | 'candidateGroups'>): UserTaskRelation | undefined {
  const unclaimed = task.assignee === undefined || task.assignee === null;
  if (task.assignee === principal.userId) return { assigned: true, candidate: false };
  if (unclaimed && (task.candidateUsers.includes(principal.userId) || task.candidateGroups.some((group) => principal.groups.includes(group)))) {
    return { assigned: false, candidate: true };
  }
  if (task.assignee && principal.deputyFor.includes(task.assignee)) return { assigned: true, candidate: false, onBehalfOf: task.assignee };
  const absentCandidate = unclaimed ? task.candidateUsers.find((user) => principal.deputyFor.includes(user)) : undefined;
  if (absentCandidate) return { assigned: false, candidate: true, onBehalfOf: absentCandidate };
  return undefined;
}

/**
 * The relation, or 404 when the task is not the caller's: a task outside one's
 * inbox is not revealed to exist. A candidate who finds the task claimed by a
 * colleague meanwhile gets 409, the same answer as when both claim at once.
 */
export function requireUserTaskRelation(principal: Principal, task: UserTask): UserTaskRelation {
  const relation = userTaskRelation(principal, task);
  if (relation) return relation;
  const { assignee: _assignee, ...unclaimed } = task;
  if (task.state === 'open' && task.assignee && userTaskRelation(principal, unclaimed)) throw conflict(`user task '${task.id}' has been claimed by someone else`);
  throw notFound('user task', task.id);
}

/** What the server knows of who started an instance (absent for instances started before or outside the API). */
export interface InstanceStart {
  startedBy: string;
  unitIds: string[];
}

/**
 * Admins (operators) read every instance; the initiator reads their own;
 * supervisors read the instances started in the units they supervise; a
 * person with an open user task in the instance (by userTaskRelation's rule)
 * reads it for as long as that task is theirs (the folder's documents travel
 * with the task).
 */
export function mayReadInstance(principal: Principal, start: InstanceStart | undefined, supervisedUnits: string[], holdsOpenUserTask: boolean): boolean {
  if (hasRole(principal, 'admin')) return true;
  if (start?.startedBy === principal.userId) return true;
  if (start && hasRole(principal, 'supervisor') && start.unitIds.some((unit) => supervisedUnits.includes(unit))) return true;
  return holdsOpenUserTask;
}

/** Cancelling is for the initiator, a supervisor of the unit, and admins; not for recipients. */
export function mayCancelInstance(principal: Principal, start: InstanceStart | undefined, supervisedUnits: string[]): boolean {
  return mayReadInstance(principal, start, supervisedUnits, false);
}
