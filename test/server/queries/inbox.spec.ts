/**
 * The inbox query's plan: the tasks offered to a user's units are found by the
 * indexes of unclaimed tasks (migrations/009 for open ones, 011 for completed
 * and canceled ones), not by reading every unclaimed task of that state. Who
 * sees what is tested over HTTP (test/server/http/inbox.spec.ts).
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { inboxPage } from '../../../server/queries/inbox.js';
import type { Principal } from '../../../server/http/access.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';

const units = 50;
const principal: Principal = {
  userId: 'clerk-7', displayName: 'clerk-7', roles: ['employee'], via: 'session', groups: ['unit-7'], directGroups: ['unit-7'], deputyFor: [],
};

/** Open tasks offered to units (none claimed), some of them the clerk's own, and completed ones that were offered before. */
async function fillInbox(knex: Knex): Promise<void> {
  await knex.raw(`
    insert into user_tasks (id, element_instance_id, instance_id, process_id, element_id, name, assignee, candidate_users, candidate_groups,
      priority, state, created_at, rev)
    select state || '-' || g, state || '-' || g, 'instance-' || g, 'p', 'e', 'Aufgabe', case when g % 100 = 0 then 'clerk-7' end, '{}',
      array['unit-' || (g % ${units})], 50, state, now(), 1
    from generate_series(1, 4000) g, (values ('open'), ('completed')) as states(state)`);
  await knex.raw('analyze user_tasks');
}

/** A page of the clerk's inbox in `state`, and the database's plan for its query. */
async function pageAndPlan(knex: Knex, state: 'open' | 'completed'): Promise<{ page: Record<string, unknown>[]; plan: string }> {
  let sql: { sql: string; bindings: readonly unknown[] } | undefined;
  const listen = (query: { sql: string; bindings?: readonly unknown[] }) => { sql ??= { sql: query.sql, bindings: query.bindings ?? [] }; };
  knex.on('query', listen);
  const page = await inboxPage(knex, principal, { state, sort: 'due', order: 'asc', limit: 200 }, new Date());
  knex.off('query', listen);
  const plan = await knex.raw(`explain ${sql!.sql.replace(/\$\d+/g, '?')}`, sql!.bindings as Knex.RawBinding[]) as { rows: { 'QUERY PLAN': string }[] };
  return { page, plan: plan.rows.map((row) => row['QUERY PLAN']).join('\n') };
}

describe(`the inbox query (on ${databaseKind})`, () => {
  const db = useTestDatabase();
  before(async () => fillInbox(db.current.database.knex));

  it('finds the tasks offered to the user\'s units by the index of open unclaimed tasks, and only theirs', async () => {
    const { page, plan } = await pageAndPlan(db.current.database.knex, 'open');
    // Of 4,000 open tasks in 50 units, 80 are offered to unit-7 and unclaimed, and 40 are the clerk's own (every hundredth, in unit-0).
    expect(page.filter((row) => row['assignee'] === null)).to.have.length(80);
    expect(page.filter((row) => row['assignee'] === 'clerk-7')).to.have.length(40);
    expect(plan, plan).to.include('user_tasks_offered_groups');
  });

  it('finds the completed tasks that were offered to the user\'s units by the index of unclaimed finished tasks (migrations/011)', async () => {
    const { page, plan } = await pageAndPlan(db.current.database.knex, 'completed');
    expect(page.filter((row) => row['assignee'] === null)).to.have.length(80);
    expect(page.filter((row) => row['assignee'] === 'clerk-7')).to.have.length(40);
    expect(page.every((row) => row['state'] === 'completed')).to.equal(true);
    expect(plan, plan).to.include('user_tasks_unclaimed_finished_groups');
  });
});
