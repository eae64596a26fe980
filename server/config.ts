/**
 * The server's settings, read from the environment once at start, typed and
 * checked: a wrong value stops the start with every problem named, rather
 * than failing later in the middle of work.
 */
import cron from 'node-cron';
import type { DatabaseOptions } from './store/database.js';

export interface JobSettings {
  /** Poll for due jobs this often (milliseconds), unless `cron` is set. */
  pollMilliseconds: number;
  /** A node-cron expression (with seconds) that drives polling instead of the interval. */
  cron?: string;
  /** How long a claimed job stays this server's; after a crash, others take it over once this has passed. */
  lockMilliseconds: number;
}

export interface Config {
  /** postgres://… ; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  databasePoolSize: number;
  jobs: JobSettings;
  logLevel: string;
}

/** Where the configured database is, as openDatabase takes it. */
export function databaseOptions(config: Config): DatabaseOptions {
  return {
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the configuration is not usable:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const number = (name: string, fallback: number, min: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) problems.push(`${name} must be a whole number ≥ ${min}, not '${text}'`);
    return value;
  };
  const databaseUrl = env['DATABASE_URL'] || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push(`DATABASE_URL must start with postgres:// or postgresql://, not '${databaseUrl}'`);
  const jobCron = env['UMLAUF_JOB_CRON'] || undefined;
  if (jobCron && !cron.validate(jobCron)) problems.push(`UMLAUF_JOB_CRON is not a cron expression: '${jobCron}'`);
  const logLevel = env['LOG_LEVEL'] || 'info';
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}, not '${logLevel}'`);
  const config: Config = {
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: env['UMLAUF_DATA_DIR'] || './data',
    databasePoolSize: number('DATABASE_POOL_SIZE', 10, 1),
    jobs: {
      pollMilliseconds: number('UMLAUF_JOB_POLL_MS', 1_000, 10),
      lockMilliseconds: number('UMLAUF_JOB_LOCK_MS', 5 * 60_000, 100),
      ...(jobCron ? { cron: jobCron } : {}),
    },
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
