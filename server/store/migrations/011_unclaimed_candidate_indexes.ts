/**
 * Candidates matter while nobody has claimed a user task: the inbox offers
 * an unclaimed task to its candidate users and groups, and shows a claimed
 * one to its assignee alone (server/queries/inbox.ts). So the GIN indexes on
 * candidate_users and candidate_groups now hold unclaimed tasks only: the
 * open ones in 009's indexes, the completed and canceled ones in these.
 *
 * 001's indexes held every user task in every state, claimed or not. They
 * grew with each completed task for as long as the server ran, and each step
 * that completed a task or made one wrote an entry to both, an empty array
 * included. Measured on embedded PGlite with 1 client (start → 3 user tasks
 * → end, alternating rounds in one process): 3–4% more instances/s without
 * them. The inbox's page of completed tasks, 400,000 tasks on PostgreSQL,
 * went from 11 ms (every unclaimed completed task read and matched) to 0.2 ms.
 *
 * Store.listUserTasks by candidate group or user (the engine's API; the
 * server does not ask it) asks across claimed tasks too, so it now reads the
 * open tasks when asked for state 'open', and the table otherwise.
 *
 * Built in the migration's transaction, like 009's.
 */
import type { Knex } from 'knex';

const unclaimedAndFinished = "assignee is null and state <> 'open'";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index user_tasks_unclaimed_finished_groups on user_tasks using gin (candidate_groups) where ${unclaimedAndFinished}`);
  await knex.raw(`create index user_tasks_unclaimed_finished_users on user_tasks using gin (candidate_users) where ${unclaimedAndFinished}`);
  await knex.raw('drop index user_tasks_candidate_groups_index');
  await knex.raw('drop index user_tasks_candidate_users_index');
}

/** Back to 001's indexes. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('create index user_tasks_candidate_groups_index on user_tasks using gin (candidate_groups)');
  await knex.raw('create index user_tasks_candidate_users_index on user_tasks using gin (candidate_users)');
  await knex.raw('drop index user_tasks_unclaimed_finished_groups');
  await knex.raw('drop index user_tasks_unclaimed_finished_users');
}
