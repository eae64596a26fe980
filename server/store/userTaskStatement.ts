/**
 * The statement KnexStore.listUserTasks runs for a filter. It is planned with
 * its values on every call, not prepared once per connection: a prepared
 * statement may get a generic plan made while the table was young and had no
 * statistics, when (state, due_date) served `state = $2` as well as
 * (assignee, state) did, keeping assignee as a filter. Once a distribution
 * had put 9,000 open tasks in the table, every question for a user's open
 * tasks then read all 9,000 (measured on the store benchmark: 1,885 rows read
 * per 3-task instance instead of 12, a third of its throughput lost, until an
 * ANALYZE replaced the plan). Planning it costs less than one such read.
 */
import type { UserTaskFilter } from '../../engine/index.js';
import { userTaskRows } from './rows.js';

export interface Statement {
  /** With $1, $2 … for the values. */
  text: string;
  values: unknown[];
}

export function userTaskStatement(filter: UserTaskFilter): Statement {
  const conditions: [string, unknown][] = [];
  if (filter.instanceId !== undefined) conditions.push(['instance_id = ?', filter.instanceId]);
  if (filter.assignee !== undefined) conditions.push(['assignee = ?', filter.assignee]);
  if (filter.state !== undefined) conditions.push(['state = ?', filter.state]);
  if (filter.candidateGroup !== undefined) conditions.push(['candidate_groups @> array[?]::text[]', filter.candidateGroup]);
  if (filter.candidateUser !== undefined) conditions.push(['candidate_users @> array[?]::text[]', filter.candidateUser]);
  const where = conditions.map(([condition], index) => condition.replace('?', `$${index + 1}`)).join(' and ');
  return {
    text: `select ${userTaskRows.columnList()} from user_tasks${where ? ` where ${where}` : ''} order by created_at, id`,
    values: conditions.map(([, value]) => value),
  };
}
