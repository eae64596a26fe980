/** Wires config, database, store, engine and job poller; main.ts and the tests start the server this way. */
import type { Logger } from 'pino';
import { Engine, type ServiceHandler } from '../engine/index.js';
import { databaseOptions, type Config } from './config.js';
import { migrateToLatest, openDatabase, type Database } from './store/database.js';
import { KnexStore } from './store/KnexStore.js';
import { JobPoller } from './jobs/JobPoller.js';
import { jitteredPause } from './store/retryPause.js';

export interface RunningServer {
  readonly database: Database;
  readonly engine: Engine;
  readonly poller: JobPoller;
  stop(): Promise<void>;
}

export interface StartOptions {
  services?: Record<string, ServiceHandler>;
  /** Leave the job poller stopped (tests drive it themselves). */
  pollJobs?: boolean;
}

export async function startServer(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningServer> {
  const database = openDatabase(databaseOptions(config));
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) log.info({ migrations: applied }, 'database schema brought up to date');
  } catch (error) {
    await database.close();
    throw error;
  }
  const engine = new Engine({
    store: new KnexStore(database.knex),
    services: options.services ?? {},
    jobLockMilliseconds: config.jobs.lockMilliseconds,
    pauseBeforeRetry: jitteredPause,
  });
  const poller = new JobPoller(engine, config.jobs, log);
  if (options.pollJobs !== false) poller.start();
  log.info({ database: database.kind, ...(database.kind === 'pglite' ? { dataDir: config.dataDir } : {}) }, 'Umlauf is running');
  return {
    database,
    engine,
    poller,
    async stop() {
      await poller.stop();
      await database.close();
    },
  };
}
