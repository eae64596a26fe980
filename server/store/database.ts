/**
 * Opens the database: PostgreSQL through `pg` when a URL is given, otherwise
 * embedded PGlite in a data directory (or in memory), both through knex with
 * the same migrations and SQL.
 */
import { mkdirSync } from 'node:fs';
import knex, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { Logger } from 'pino';
import { migrations } from './migrations/index.js';

export interface DatabaseOptions {
  /** postgres://… ; when absent, embedded PGlite is used. */
  url?: string;
  /** PGlite's data directory; `memory` keeps it in memory (tests). */
  dataDir?: string;
  /** PostgreSQL connection pool size. */
  poolSize?: number;
  /** PostgreSQL schema to work in (tests give each file its own). */
  schema?: string;
  /** Where knex's own warnings go (a connection the database dropped, …); unset: the console. */
  logger?: Pick<Logger, 'warn' | 'error' | 'debug'>;
}

export interface Database {
  readonly knex: Knex;
  readonly kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** The knex settings for these options (knexfile.ts uses them too). */
export function knexConfig(options: DatabaseOptions = {}): Knex.Config {
  // What both kinds of database share: the migrations, and where knex logs.
  const common = { migrations: { migrationSource: migrations }, ...(options.logger ? { log: knexLog(options.logger) } : {}) };
  if (options.url) {
    return {
      client: 'pg',
      connection: options.url,
      pool: { min: 0, max: options.poolSize ?? 10 },
      // When the database is away, a step fails within seconds instead of
      // queueing for knex's default minute; the job poller tries again later.
      acquireConnectionTimeout: 5_000,
      ...(options.schema ? { searchPath: [options.schema] } : {}),
      ...common,
    };
  }
  const dataDir = options.dataDir ?? './data';
  return { client: ClientPgLite, dialect: 'postgres', connection: dataDir === 'memory' ? {} : { filename: dataDir }, ...common };
}

/** knex's messages as entries of the server's log, so that an operator finds them with the others, in one format. */
function knexLog(logger: NonNullable<DatabaseOptions['logger']>): Knex.Logger {
  const source = { component: 'knex' };
  return {
    warn: (message: unknown) => logger.warn(source, String(message)),
    error: (message: unknown) => logger.error(source, String(message)),
    debug: (message: unknown) => logger.debug(source, String(message)),
    deprecate: (method: string, alternative: string) => logger.warn(source, `${method} is deprecated, use ${alternative}`),
  };
}

export function openDatabase(options: DatabaseOptions = {}): Database {
  if (!options.url && options.dataDir !== 'memory') mkdirSync(options.dataDir ?? './data', { recursive: true });
  const instance = knex(knexConfig(options));
  return { knex: instance, kind: options.url ? 'postgres' : 'pglite', close: () => instance.destroy() };
}

/** An arbitrary but fixed key: servers starting at once queue on it instead of racing through the migrations. */
const migrationLockKey = 7_160_493_251;

/**
 * Brings the schema up to date. knex's own migration lock makes a second
 * migrator fail rather than wait, so on PostgreSQL a session-level advisory
 * lock, held on one connection while knex migrates on others, serialises
 * servers that start together; the later one then finds nothing to do.
 * PGlite has a single connection and a single process, so it needs none.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const run = async () => {
    const [, applied] = await database.knex.migrate.latest() as [number, string[]];
    return applied;
  };
  if (database.kind === 'pglite') return run();
  return database.knex.transaction(async (lockHolder) => {
    await lockHolder.raw('select pg_advisory_xact_lock(?)', [migrationLockKey]);
    return run();
  });
}
