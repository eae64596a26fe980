/**
 * How far a folder has got: its user tasks counted by state, and its user
 * tasks and history page by page. A distribution to 9,000 recipients has
 * 9,000 user tasks and twice as many history events, too many for one
 * response, while the tracking view needs both "how many have confirmed" and
 * "who has not yet". Keyset pages (see ../http/cursor.ts) stay fast however
 * far into the list they are.
 */
import type { Knex } from 'knex';
import type { HistoryEvent, UserTaskRecord, UserTaskState } from '../../engine/index.js';
import type { CursorPosition } from '../http/cursor.js';
import { historyRows, userTaskRows } from '../store/rows.js';
import { keysetPage, type KeysetPage } from './keysetPage.js';

export type UserTaskCounts = Partial<Record<UserTaskState, number>>;

export async function countUserTasksByState(knex: Knex, instanceId: string): Promise<UserTaskCounts> {
  const rows = await knex('user_tasks').where({ instance_id: instanceId }).groupBy('state').select('state').count({ count: '*' }) as { state: UserTaskState; count: string | number }[];
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
}

/** The instance's user tasks in the order they were created, optionally of one state. */
export async function listUserTasksOfInstance(
  knex: Knex, instanceId: string, page: { state?: UserTaskState; limit: number; after?: CursorPosition },
): Promise<KeysetPage<UserTaskRecord>> {
  const query = knex('user_tasks').select(userTaskRows.columnNames())
    .where({ instance_id: instanceId })
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .limit(page.limit + 1);
  if (page.state) query.where({ state: page.state });
  if (page.after) query.whereRaw('(created_at, id) > (?::timestamptz, ?)', [page.after.value, page.after.id]);
  const tasks = ((await query) as Record<string, unknown>[]).map((row) => userTaskRows.fromRow(row));
  return keysetPage(tasks, page.limit, (task) => ({ value: task.createdAt, id: task.id }));
}

/** The instance's history, oldest first; the cursor's id is the event's sequence number. */
export async function listHistoryOfInstance(
  knex: Knex, instanceId: string, page: { limit: number; after?: CursorPosition },
): Promise<KeysetPage<HistoryEvent>> {
  const query = knex('history').select('seq', ...historyRows.columnNames())
    .where({ instance_id: instanceId })
    .orderBy('seq')
    .limit(page.limit + 1);
  if (page.after) query.where('seq', '>', page.after.value);
  const rows = (await query) as (Record<string, unknown> & { seq: string | number })[];
  const events = rows.map((row) => ({ seq: String(row.seq), event: historyRows.fromRow(row) }));
  const { items, next } = keysetPage(events, page.limit, (entry) => ({ value: entry.seq, id: entry.seq }));
  return { items: items.map((entry) => entry.event), ...(next ? { next } : {}) };
}
