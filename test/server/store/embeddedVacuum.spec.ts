/**
 * The server's autovacuum for embedded PGlite, which has none of its own.
 * Always on an embedded database of its own, also in the PostgreSQL run:
 * that is the only kind it runs on.
 */
import { expect } from 'chai';
import { Engine } from '../../../engine/index.js';
import { migrateToLatest, openDatabase, type Database } from '../../../server/store/database.js';
import { EmbeddedVacuum, upkeepDue } from '../../../server/store/embeddedVacuum.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { threeTasks } from '../../../bench/threeTasks.js';

describe('upkeepDue (PostgreSQL\'s autovacuum thresholds)', () => {
  const counters = { table: 't', live: 1_000, dead: 0, insertedSinceVacuum: 0, modifiedSinceAnalyze: 0 };

  it('vacuums once the dead rows pass 50 and a fifth of the rows', () => {
    expect(upkeepDue({ ...counters, dead: 250 }).vacuum).to.equal(false);
    expect(upkeepDue({ ...counters, dead: 251 }).vacuum).to.equal(true);
    expect(upkeepDue({ ...counters, live: 0, dead: 50 }).vacuum).to.equal(false);
    expect(upkeepDue({ ...counters, live: 0, dead: 51 }).vacuum).to.equal(true);
  });

  it('vacuums an append-only table once its inserts pass 1,000 and a fifth of the rows', () => {
    expect(upkeepDue({ ...counters, insertedSinceVacuum: 1_200 }).vacuum).to.equal(false);
    expect(upkeepDue({ ...counters, insertedSinceVacuum: 1_201 })).to.deep.equal({ table: 't', vacuum: true, analyze: false });
  });

  it('analyzes once the changes since the last analyze pass 50 and a tenth of the rows', () => {
    expect(upkeepDue({ ...counters, modifiedSinceAnalyze: 150 }).analyze).to.equal(false);
    expect(upkeepDue({ ...counters, modifiedSinceAnalyze: 151 })).to.deep.equal({ table: 't', vacuum: false, analyze: true });
  });
});

describe('EmbeddedVacuum on PGlite', function () {
  this.timeout(60_000);
  let database: Database;
  let engine: Engine;

  beforeEach(async () => {
    database = openDatabase({ dataDir: 'memory' });
    await migrateToLatest(database);
    engine = new Engine({ store: new KnexStore(database.knex) });
    await engine.deploy(threeTasks);
  });
  afterEach(async () => database.close());

  /** Instances through their three user tasks: each step deletes an element instance and rewrites a user task. */
  async function runInstances(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const instance = await engine.startProcess('three-tasks', { initiator: `clerk-${i}` });
      for (let step = 0; step < 3; step++) {
        const [task] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
        await engine.completeUserTask(task!.id, {});
      }
    }
  }

  async function table(name: string): Promise<{ dead: number; vacuumed: boolean; analyzed: boolean; rows: number; bytes: number }> {
    await database.knex.raw('select pg_stat_force_next_flush()');
    const result = await database.knex.raw(`
      select s.n_dead_tup as dead, s.last_vacuum is not null as vacuumed, s.last_analyze is not null as analyzed,
        c.reltuples as rows, pg_relation_size(c.oid) as bytes
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = ?`, [name]) as { rows: Record<string, unknown>[] };
    const row = result.rows[0]!;
    return { dead: Number(row['dead']), vacuumed: row['vacuumed'] === true, analyzed: row['analyzed'] === true, rows: Number(row['rows']), bytes: Number(row['bytes']) };
  }

  it('vacuums and analyzes the tables the steps left dead rows in, and then nothing until there are more', async () => {
    await runInstances(40);
    const before = await table('element_instances');
    expect(before).to.include({ vacuumed: false, analyzed: false, rows: -1 });
    expect(before.dead).to.be.above(100);

    const vacuum = new EmbeddedVacuum(database.knex, 60_000);
    const done = await vacuum.runOnce();
    expect(done).to.deep.include({ table: 'element_instances', vacuum: true, analyze: true });
    expect(done).to.deep.include({ table: 'user_tasks', vacuum: true, analyze: true });
    expect(done.map((upkeep) => upkeep.table)).not.to.include('comments');
    expect(await table('element_instances')).to.include({ dead: 0, vacuumed: true, analyzed: true, rows: 0 });
    expect(await table('user_tasks')).to.include({ dead: 0, vacuumed: true, analyzed: true, rows: 120 });

    expect(await vacuum.runOnce()).to.deep.equal([]);
  });

  it('keeps a table that steps delete from at its size, where without it the table keeps growing', async () => {
    const vacuum = new EmbeddedVacuum(database.knex, 60_000);
    await runInstances(50);
    await vacuum.runOnce();
    const kept = (await table('element_instances')).bytes;
    for (let round = 0; round < 3; round++) {
      await runInstances(50);
      await vacuum.runOnce();
    }
    expect((await table('element_instances')).bytes).to.equal(kept);

    await runInstances(150);
    expect((await table('element_instances')).bytes).to.be.above(kept);
  });

  it('runs on its own once started, and stops', async () => {
    await runInstances(40);
    const vacuum = new EmbeddedVacuum(database.knex, 20);
    vacuum.start();
    try {
      for (let wait = 0; wait < 100 && !(await table('element_instances')).vacuumed; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await table('element_instances')).vacuumed).to.equal(true);
    } finally {
      await vacuum.stop();
    }
  });
});
