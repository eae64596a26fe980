/**
 * KnexStore.listUserTasks plans its statement with its values on every call
 * (server/store/userTaskStatement.ts): a store that asked for users' open
 * tasks while the table was young still reads only the asking user's tasks
 * once a distribution has put 9,000 open tasks there.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { openDatabase, type Database } from '../../../server/store/database.js';
import { databaseKind, databaseUrl, useTestDatabase } from '../../support/database.js';

/** `count` user tasks, ids `prefix` and a number, each with the assignee and state given for its index. */
async function insertTasks(knex: Knex, prefix: string, count: number, assigneeOf: (index: number) => string, stateOf: (index: number) => string): Promise<void> {
  await knex.raw(`insert into user_tasks (id, element_instance_id, instance_id, process_id, element_id, assignee, candidate_users,
      candidate_groups, priority, state, created_at, rev)
    select ? || g, 'element-' || g, 'instance', 'process', 'task', given.assignee[g], '{}', '{}', 50, given.state[g], now(), 1
    from generate_series(1, ?) g, (select ?::text[] as assignee, ?::text[] as state) given`,
  [prefix, count, Array.from({ length: count }, (_, index) => assigneeOf(index)), Array.from({ length: count }, (_, index) => stateOf(index))]);
}

describe(`KnexStore.listUserTasks on ${databaseKind}`, () => {
  const db = useTestDatabase();
  /** The database on one connection, so that the store's questions and the statistics they leave are one backend's. */
  let single: Database | undefined;
  before(() => { single = databaseUrl ? openDatabase({ ...db.current.options, poolSize: 1 }) : db.current.database; });
  after(async () => { if (databaseUrl) await single?.close(); });

  /** Rows of user_tasks the connection has read so far, by index or by scanning (its statistics flushed first). */
  async function rowsRead(knex: Knex): Promise<number> {
    await knex.raw('select pg_stat_force_next_flush()');
    const result = await knex.raw("select coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) as read from pg_stat_user_tables where relname = 'user_tasks'") as { rows: { read: string | number }[] };
    return Number(result.rows[0]!.read);
  }

  it("reads only the asking user's open tasks after 9,000 open tasks arrived, having asked while the table was young", async () => {
    await db.current.freshStore();
    const knex = single!.knex;
    const store = new KnexStore(knex);
    await insertTasks(knex, 'early-', 300, (index) => `clerk-${index % 20}`, (index) => (index % 3 === 0 ? 'open' : 'completed'));
    for (let clerk = 0; clerk < 10; clerk++) await store.listUserTasks({ assignee: `clerk-${clerk}`, state: 'open' });
    await insertTasks(knex, 'distributed-', 9_000, (index) => `recipient-${index}`, () => 'open');
    const before = await rowsRead(knex);
    const tasks = await store.listUserTasks({ assignee: 'clerk-8', state: 'open' });
    const read = (await rowsRead(knex)) - before;
    expect(tasks.map((task) => task.assignee)).to.deep.equal(Array(5).fill('clerk-8'));
    expect(read).to.be.below(50);
  });
});
