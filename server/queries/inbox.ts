/**
 * The task inbox as one indexed query on the engine's user_tasks table. It
 * applies access.ts's userTaskRelation rule in SQL (assigned to me; unclaimed
 * and offered to me or my groups; an absent colleague's personal tasks for
 * their deputy), filters, sorts and pages by keyset, so an inbox stays fast
 * however many completed tasks pile up over the years.
 */
import type { Knex } from 'knex';
import type { UserTask, UserTaskState } from '../../engine/index.js';
import { userTaskRows } from '../store/rows.js';
import type { Principal } from '../http/access.js';
import type { CursorPosition } from '../http/cursor.js';

export type InboxSort = 'due' | 'priority' | 'created';

export interface InboxFilter {
  state: UserTaskState;
  processId?: string;
  dueBefore?: Date;
  overdue?: boolean;
  sort: InboxSort;
  order: 'asc' | 'desc';
  limit: number;
  after?: CursorPosition;
}

/** The sort expressions; due dates that are not set sort after every real one. */
const sortColumn: Record<InboxSort, string> = {
  due: "coalesce(t.due_date, 'infinity'::timestamptz)",
  priority: 't.priority',
  created: 't.created_at',
};

/** A user_tasks row with its sort value as text, which casts back exactly for the next page's cursor. */
export type InboxRow = Record<string, unknown> & { id: string; sort_value: string };

/** One page of the caller's inbox (plus one more row, to tell whether another page follows). */
export async function inboxPage(knex: Knex, principal: Principal, filter: InboxFilter, now: Date): Promise<InboxRow[]> {
  const sort = sortColumn[filter.sort];
  const direction = filter.order === 'asc' ? 'asc' : 'desc';
  const query = knex('user_tasks as t')
    .select('t.*', knex.raw(`(${sort})::text as sort_value`))
    .where('t.state', filter.state)
    .where((visible) => visibleTo(visible, principal))
    .orderByRaw(`${sort} ${direction}, t.id ${direction}`)
    .limit(filter.limit + 1);
  if (filter.processId) query.where('t.process_id', filter.processId);
  if (filter.dueBefore) query.where('t.due_date', '<', filter.dueBefore);
  if (filter.overdue) query.where('t.due_date', '<', now);
  if (filter.after) {
    const cast = filter.sort === 'priority' ? '::integer' : '::timestamptz';
    query.whereRaw(`(${sort}, t.id) ${direction === 'asc' ? '>' : '<'} (?${cast}, ?)`, [filter.after.value, filter.after.id]);
  }
  return (await query) as InboxRow[];
}

/** Whether the caller has an open user task in the instance (which lets them read the folder). */
export async function hasOpenUserTaskIn(knex: Knex, principal: Principal, instanceId: string): Promise<boolean> {
  const row = await knex('user_tasks as t').first('t.id').where({ 't.instance_id': instanceId, 't.state': 'open' }).where((visible) => visibleTo(visible, principal));
  return row !== undefined;
}

function visibleTo(visible: Knex.QueryBuilder, principal: Principal): void {
  visible.where('t.assignee', principal.userId);
  visible.orWhere((offered) => {
    offered.whereNull('t.assignee').andWhere((candidate) => {
      candidate.whereRaw('t.candidate_users @> ?::text[]', [[principal.userId]]);
      if (principal.groups.length > 0) candidate.orWhereRaw('t.candidate_groups && ?::text[]', [principal.groups]);
    });
  });
  if (principal.deputyFor.length > 0) {
    visible.orWhereIn('t.assignee', principal.deputyFor);
    visible.orWhere((offered) => offered.whereNull('t.assignee').andWhereRaw('t.candidate_users && ?::text[]', [principal.deputyFor]));
  }
}

/** The page's rows as user task views, with the variables of each task's own scope (one more query). */
export async function inboxTasks(knex: Knex, rows: InboxRow[]): Promise<UserTask[]> {
  const ids = rows.map((row) => row.id);
  const variables = ids.length === 0 ? [] : await knex('variables').select('scope_id', 'name', 'value').whereIn('scope_id', ids) as VariableRow[];
  const byScope = new Map<string, Record<string, unknown>>();
  for (const variable of variables) {
    const scope = byScope.get(variable.scope_id) ?? {};
    scope[variable.name] = variable.value;
    byScope.set(variable.scope_id, scope);
  }
  return rows.map((row) => {
    const { elementInstanceId: _elementInstanceId, rev: _rev, ...task } = userTaskRows.fromRow(row);
    return { ...task, variables: byScope.get(task.id) ?? {} };
  });
}

interface VariableRow {
  scope_id: string;
  name: string;
  value: unknown;
}
