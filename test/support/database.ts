/**
 * A database for one test file: embedded PGlite in memory by default, or,
 * when DATABASE_URL is set, a fresh PostgreSQL database made for this file and
 * dropped after it, so that runs and files cannot collide.
 */
import { randomBytes } from 'node:crypto';
import knex from 'knex';
import { migrateToLatest, openDatabase, type Database, type DatabaseOptions } from '../../server/store/database.js';
import { KnexStore } from '../../server/store/KnexStore.js';
import { databaseChangedOutside } from '../../server/store/sharedState.js';

export const databaseUrl = process.env.DATABASE_URL;
export const databaseKind = databaseUrl ? 'PostgreSQL' : 'PGlite';

const tables = ['history', 'multi_instance_outputs', 'incidents', 'subscriptions', 'jobs', 'user_tasks', 'variables',
  'element_instances', 'instances', 'definitions', 'deployments'];

export interface TestDatabase {
  readonly database: Database;
  /** The options that open this database again (another pool, another process). */
  readonly options: DatabaseOptions;
  /** A store on an emptied database. */
  freshStore(): Promise<KnexStore>;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  poolSize?: number;
  /** Bring the schema up to date (default); false leaves an empty database. */
  migrate?: boolean;
  /** Where knex's own warnings go (a connection the database dropped, …); unset: the console. */
  logger?: DatabaseOptions['logger'];
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (!databaseUrl) {
    const database = openDatabase({ dataDir: 'memory' });
    const close = async (): Promise<void> => database.close();
    if (migrate) await migrated(database, close);
    return wrap(database, { dataDir: 'memory' }, close);
  }
  const name = `umlauf_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw('create database ??', [name]);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const dbOptions: DatabaseOptions = { url: url.toString(), poolSize: options.poolSize ?? 10, ...(options.logger ? { logger: options.logger } : {}) };
  const database = openDatabase(dbOptions);
  const close = async (): Promise<void> => {
    await database.close();
    await admin.raw('drop database if exists ?? with (force)', [name]);
    await admin.destroy();
  };
  if (migrate) await migrated(database, close);
  return wrap(database, dbOptions, close);
}

/**
 * Brings the schema up to date, or closes the database and fails: a test
 * file whose `before` failed has nothing for its `after` to close, and an
 * open pool would keep mocha (and CI) waiting instead of ending the run.
 */
async function migrated(database: Database, close: () => Promise<void>): Promise<void> {
  try {
    await migrateToLatest(database);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

function wrap(database: Database, options: DatabaseOptions, close: () => Promise<void>): TestDatabase {
  return {
    database,
    options,
    async freshStore() {
      await database.knex.raw(`truncate ${tables.join(', ')} restart identity`);
      databaseChangedOutside(database.knex);
      return new KnexStore(database.knex);
    },
    close,
  };
}

/** Registers before/after hooks in the calling describe block; the database is there from `before` on. */
export function useTestDatabase(options: TestDatabaseOptions = {}): { readonly current: TestDatabase } {
  let current: TestDatabase | undefined;
  before(async function () {
    this.timeout(60_000);
    current = await createTestDatabase(options);
  });
  after(async () => current?.close());
  return {
    get current() {
      if (!current) throw new Error('the test database is not open yet');
      return current;
    },
  };
}
