/**
 * What must hold across restarts: the schema is made once even when servers
 * start together, and a timer that fell due while no server ran fires exactly
 * once when one starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Engine } from '../../../engine/index.js';
import { migrateToLatest, openDatabase, type DatabaseOptions } from '../../../server/store/database.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { migrations } from '../../../server/store/migrations/index.js';
import { fixture } from '../../support/scenario.js';
import { createTestDatabase, databaseKind, databaseUrl } from '../../support/database.js';

const timers = fixture(import.meta.url, 'timers.bpmn');

describe(`durable state on ${databaseKind}`, function () {
  this.timeout(60_000);

  it('lets servers that start together migrate one empty database without breaking it', async () => {
    const empty = await createTestDatabase({ migrate: false });
    // PGlite is one process's embedded database, so "together" means one after the other there.
    const databases = empty.database.kind === 'postgres'
      ? [empty.database, openDatabase(empty.options), openDatabase(empty.options)]
      : [empty.database];
    try {
      // Every migration once, whichever server ran it.
      const all = (await migrations.getMigrations([])).map((migration) => migrations.getMigrationName(migration)).sort();
      const applied = await Promise.all(databases.map((database) => migrateToLatest(database)));
      expect(applied.flat().sort()).to.deep.equal(all);
      expect(await migrateToLatest(empty.database)).to.deep.equal([]);
      const names = await empty.database.knex('knex_migrations').pluck('name');
      expect(names.sort()).to.deep.equal(all);
    } finally {
      await Promise.all(databases.slice(1).map((database) => database.close()));
      await empty.close();
    }
  });

  it('fires a timer that fell due while no server ran, exactly once, when a server starts again', async () => {
    const place = await durablePlace();
    let time = new Date('2026-03-02T08:00:00Z').getTime();
    const engineOn = (database: ReturnType<typeof openDatabase>) =>
      new Engine({ store: new KnexStore(database.knex), clock: () => new Date(time) });
    try {
      let database = openDatabase(place.options);
      await migrateToLatest(database);
      const before = engineOn(database);
      await before.deploy(timers);
      const instance = await before.startProcess('wait-an-hour');
      await database.close();

      time += 3 * 3_600_000; // the server is down while the timer falls due

      database = openDatabase(place.options);
      const after = engineOn(database);
      const second = engineOn(database);
      expect(await Promise.all([after.runDueJobs(), second.runDueJobs()])).to.satisfy((ran: number[]) => ran[0]! + ran[1]! === 1);
      expect(await after.runDueJobs()).to.equal(0);
      const history = await after.history(instance.id);
      expect(history.filter((event) => event.elementId === 'an-hour' && event.type === 'completed')).to.have.length(1);
      expect((await after.getInstance(instance.id)).activeElementIds).to.deep.equal(['after']);
      await database.close();
    } finally {
      await place.remove();
    }
  });
});

/** A database that outlives its connections: a PGlite data directory, or a fresh PostgreSQL database. */
async function durablePlace(): Promise<{ options: DatabaseOptions; remove(): Promise<void> }> {
  if (databaseUrl) {
    const database = await createTestDatabase({ migrate: false });
    const options = database.options;
    await database.database.close();
    // close() destroys the (already closed) pool again and drops the database.
    return { options, remove: () => database.close() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'umlauf-durable-'));
  return { options: { dataDir }, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
}
