/**
 * Indexes for the group inbox: the open user tasks that nobody has claimed,
 * by the units and the users they are offered to. The inbox query
 * (server/queries/inbox.ts) finds a user's own tasks by (assignee, state),
 * but the ones offered to their units it found by reading every open
 * unclaimed task and filtering by unit: about 14 ms a page with 10,000 such
 * tasks in 50 units on PostgreSQL, growing with them. These indexes hold
 * only those tasks, so the page reads its unit's and nothing else (0.2 ms
 * there), and a task leaves them when it is claimed or completed. The GIN
 * indexes of 001 stay, for asking across states (Store.listUserTasks).
 *
 * Built in the migration's transaction, which holds writes to user_tasks
 * for as long as that takes (seconds for millions of rows).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw("create index user_tasks_offered_groups on user_tasks using gin (candidate_groups) where state = 'open' and assignee is null");
  await knex.raw("create index user_tasks_offered_users on user_tasks using gin (candidate_users) where state = 'open' and assignee is null");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists user_tasks_offered_groups');
  await knex.raw('drop index if exists user_tasks_offered_users');
}
