/**
 * Groups: organisational units, nested through parent_id, and their members.
 * Membership is inherited upwards (a member of a sub-unit belongs to the
 * unit, for candidate groups) and supervision reaches downwards (a unit's
 * supervisor sees its sub-units). Both walks use `union`, not `union all`, so
 * that even a cycle that slipped in cannot make them run forever. The walk
 * upwards is asked for every request's caller, so it lives in the database
 * function umlauf_caller (migrations/010, read through callers.ts).
 */
import type { Knex } from 'knex';
import { IdentityConflictError, IdentityNotFoundError, mapConstraintErrors } from './errors.js';
import { groupFromRow, userColumns, userFromRow, type GroupRow, type UserRow } from './rows.js';
import type { Group, User } from './types.js';

export interface NewGroup {
  id: string;
  name: string;
  parentId?: string;
}

export interface GroupPatch {
  name?: string;
  /** null makes the group a top-level unit. */
  parentId?: string | null;
}

const descendantsOfMemberships = `
with recursive down(id) as (
  select group_id from memberships where user_id = ?
  union
  select g.id from groups g join down on g.parent_id = down.id
) select id from down order by id`;

const descendantsOfGroup = `
with recursive down(id) as (
  select id from groups where parent_id = ?
  union
  select g.id from groups g join down on g.parent_id = down.id
) select id from down`;

export class Groups {
  constructor(private readonly knex: Knex) {}

  async create(group: NewGroup): Promise<Group> {
    const row = { id: group.id, name: group.name, parent_id: group.parentId ?? null };
    await mapConstraintErrors(() => this.knex('groups').insert(row), group.id,
      () => new IdentityNotFoundError('group', group.parentId ?? ''));
    return groupFromRow(row);
  }

  async get(id: string): Promise<Group | undefined> {
    const row = await this.knex<GroupRow>('groups').where({ id }).first();
    return row ? groupFromRow(row) : undefined;
  }

  /** All groups, ordered by id (an administration has some hundreds, not millions). */
  async list(): Promise<Group[]> {
    return (await this.knex<GroupRow>('groups').orderBy('id')).map(groupFromRow);
  }

  /**
   * Renames or moves a group. A move under itself or one of its descendants is
   * refused; the table is locked against other moves for the check, so two
   * moves at once cannot make a cycle between them.
   */
  async update(id: string, patch: GroupPatch): Promise<Group> {
    return this.knex.transaction(async (trx) => {
      await trx.raw('lock table groups in share row exclusive mode');
      if (patch.parentId) await this.refuseCycle(trx, id, patch.parentId);
      const changes: Partial<GroupRow> = {};
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.parentId !== undefined) changes.parent_id = patch.parentId;
      const query = trx<GroupRow>('groups').where({ id });
      const [row] = Object.keys(changes).length > 0
        ? await mapConstraintErrors(() => query.update(changes).returning('*'), id,
          () => new IdentityNotFoundError('group', patch.parentId ?? ''))
        : await query.select('*');
      if (!row) throw new IdentityNotFoundError('group', id);
      return groupFromRow(row as GroupRow);
    });
  }

  private async refuseCycle(trx: Knex.Transaction, id: string, parentId: string): Promise<void> {
    const { rows } = await trx.raw<{ rows: { id: string }[] }>(descendantsOfGroup, [id]);
    if (parentId === id || rows.some((row) => row.id === parentId)) {
      throw new IdentityConflictError(`group ${parentId} lies within ${id}: the move would make a cycle`, parentId);
    }
  }

  /** Refused while child groups exist: they would lose their place in the tree. Memberships go with the group. */
  async delete(id: string): Promise<void> {
    const child = await this.knex('groups').select('id').where({ parent_id: id }).first() as { id: string } | undefined;
    if (child) throw new IdentityConflictError(`group ${id} still has child groups, e.g. ${child.id}`, id);
    const deleted = await mapConstraintErrors(() => this.knex('groups').where({ id }).delete().returning('id'), id,
      () => new IdentityConflictError(`group ${id} still has child groups`, id));
    if (deleted.length === 0) throw new IdentityNotFoundError('group', id);
  }

  /** Adding an existing membership again changes nothing. */
  async addMember(groupId: string, userId: string): Promise<void> {
    await mapConstraintErrors(
      () => this.knex('memberships').insert({ group_id: groupId, user_id: userId }).onConflict(['user_id', 'group_id']).ignore(),
      `${groupId}/${userId}`, () => new IdentityNotFoundError('user or group', `${userId} / ${groupId}`));
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    // `returning` rather than the count: knex-pglite does not report how many rows a DELETE removed.
    const deleted = await this.knex('memberships').where({ group_id: groupId, user_id: userId }).delete().returning('user_id');
    if (deleted.length === 0) throw new IdentityNotFoundError('membership', `${userId} in ${groupId}`);
  }

  /** The direct members, ordered by id. */
  async listMembers(groupId: string): Promise<User[]> {
    const rows = await this.knex<UserRow>('users').select(userColumns.map((column) => `users.${column}`))
      .join('memberships', 'memberships.user_id', 'users.id').where('memberships.group_id', groupId).orderBy('users.id');
    return rows.map(userFromRow);
  }

  /** The ids of the groups the user is a direct member of: the units recorded with the folders they start. */
  async directGroupsOf(userId: string): Promise<string[]> {
    const rows = await this.knex('memberships').select('group_id').where({ user_id: userId }).orderBy('group_id') as { group_id: string }[];
    return rows.map((row) => row.group_id);
  }

  /** The ids of the user's groups and all their descendants: the units whose folders a supervisor sees. */
  async unitsSupervisedBy(userId: string): Promise<string[]> {
    const { rows } = await this.knex.raw<{ rows: { id: string }[] }>(descendantsOfMemberships, [userId]);
    return rows.map((row) => row.id);
  }
}
