/** Wires config, database, store, engine, job poller and HTTP; main.ts and the tests start the server this way. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Engine, type ServiceHandler } from '../engine/index.js';
import { databaseOptions, type Config, type HttpSettings } from './config.js';
import { migrateToLatest, openDatabase, type Database } from './store/database.js';
import { KnexStore } from './store/KnexStore.js';
import { isDatabaseReachable } from './store/health.js';
import { JobPoller } from './jobs/JobPoller.js';
import { EmbeddedVacuum } from './store/embeddedVacuum.js';
import { jitteredPause } from './store/retryPause.js';
import { createApp } from './http/createApp.js';
import { createMetrics, type CommitTotals } from './http/metrics.js';
import type { Services } from './http/services.js';
import { IdentityStore } from './identity/IdentityStore.js';
import { AuditLog } from './audit/AuditLog.js';
import { Comments } from './comments/Comments.js';
import { InstanceStarts } from './identity/instanceStarts.js';
import { seedDemo } from './demo/seedDemo.js';

export interface RunningServer {
  readonly database: Database;
  readonly engine: Engine;
  readonly poller: JobPoller;
  /** On embedded PGlite (unless turned off), what vacuums and analyzes its tables. */
  readonly vacuum: EmbeddedVacuum | undefined;
  readonly services: Services;
  /** Where the HTTP API listens, e.g. http://127.0.0.1:3000 */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  services?: Record<string, ServiceHandler>;
  /** Leave the job poller stopped (tests drive it themselves). */
  pollJobs?: boolean;
  /** Use this open database instead of opening the configured one (tests); it stays open on stop. */
  database?: Database;
  /** The server's clock (tests move it); the real one by default. */
  clock?: () => Date;
}

export async function startServer(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const database = options.database ?? openDatabase({ ...databaseOptions(config), logger: log });
  const closeDatabase = options.database ? async () => {} : () => database.close();
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) log.info({ migrations: applied }, 'database schema brought up to date');
  } catch (error) {
    await closeDatabase();
    throw error;
  }
  const clock = options.clock ?? (() => new Date());
  const engine = new Engine({
    store: new KnexStore(database.knex),
    services: options.services ?? {},
    clock,
    jobLockMilliseconds: config.jobs.lockMilliseconds,
    pauseBeforeRetry: jitteredPause,
  });
  const poller = new JobPoller(engine, config.jobs, log);
  const services = servicesFor(database, engine, config.http, log, clock, () => poller.state);
  if (config.demo) await seedDemo(services, log);
  const http = createServer(createApp(services));
  await listen(http, config.http.port);
  if (options.pollJobs !== false) poller.start();
  // PostgreSQL vacuums its own tables; PGlite has no autovacuum (see EmbeddedVacuum).
  const vacuum = database.kind === 'pglite' && config.embeddedVacuumMilliseconds > 0
    ? new EmbeddedVacuum(database.knex, config.embeddedVacuumMilliseconds, log) : undefined;
  vacuum?.start();
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  log.info({ url, database: database.kind, ...(database.kind === 'pglite' ? { dataDir: config.dataDir } : {}) }, 'Umlauf is running');
  if (database.kind === 'pglite') {
    // PGlite's Node file system has no fsync (see README): an operator should hear it from the server, not from a lost folder.
    log.warn({ dataDir: config.dataDir }, 'embedded PGlite does not flush commits to disk: a crash of the machine or a power loss can lose the last ones; '
      + 'set DATABASE_URL to run on PostgreSQL in production');
  }
  return {
    database, engine, poller, vacuum, services, url,
    async stop() {
      // Stop taking work first, let requests, jobs and a vacuum in flight finish, then close the database they use.
      await Promise.all([poller.stop(), closeHttp(http), vacuum?.stop()]);
      await closeDatabase();
    },
  };
}

export function servicesFor(database: Database, engine: Engine, http: HttpSettings, log: Logger, clock: () => Date, pollerTotals?: () => { jobsRun: number; failedPolls: number }): Services {
  return {
    engine,
    knex: database.knex,
    identity: new IdentityStore(database.knex),
    audit: new AuditLog(database.knex),
    comments: new Comments(database.knex),
    instanceStarts: new InstanceStarts(database.knex),
    http,
    log,
    metrics: createMetrics(database.knex, pollerTotals, commitTotalsOf(engine)),
    clock,
    isReady: () => isDatabaseReachable(database),
  };
}

/** The batched commits of the engine's store, for /metrics, when it is a KnexStore. */
function commitTotalsOf(engine: Engine): CommitTotals | undefined {
  const { store } = engine;
  return store instanceof KnexStore ? () => store.commitTotals() : undefined;
}

function listen(http: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, () => {
      http.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections, lets requests in flight finish, and drops idle keep-alive connections. */
function closeHttp(http: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    http.close((error) => (error ? reject(error) : resolve()));
    http.closeIdleConnections();
  });
}
