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

export interface HttpSettings {
  port: number;
  /** Where users reach Umlauf (links in e-mails); https here marks session cookies Secure. */
  baseUrl: string;
  /** Trust X-Forwarded-* from this many proxies in front (0: none). */
  trustProxy: number;
  /** How long a login lasts without use. */
  sessionMilliseconds: number;
  /** Largest JSON body, in bytes. */
  jsonLimitBytes: number;
  /** Largest BPMN upload, in bytes. */
  xmlLimitBytes: number;
  /** Failed logins allowed per user id and client address in a window; then that user waits there. */
  loginAttempts: number;
  /**
   * Failed logins allowed per client address in a window, whatever the user
   * ids: guessing across many accounts from one address stops there, while
   * the colleagues behind one terminal server or NAT address keep their own
   * counts under loginAttempts.
   */
  loginAttemptsPerAddress: number;
  loginWindowMilliseconds: number;
  /** When set, GET /metrics answers only requests that send it as a bearer token. */
  metricsToken?: string;
}

export interface MailSettings {
  /** smtp://user:pass@host:port; absent: mail is logged, not sent. */
  smtpUrl?: string;
  from: string;
}

export interface Config {
  http: HttpSettings;
  mail: MailSettings;
  /** Seed the demo organisation and processes on start (idempotent). */
  demo: boolean;
  /** postgres://… ; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  databasePoolSize: number;
  /** On embedded PGlite, how often the server looks for tables to vacuum and analyze (see store/embeddedVacuum.ts); 0: never. */
  embeddedVacuumMilliseconds: number;
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
  const port = number('PORT', 3000, 0);
  if (port > 65535) problems.push(`PORT must be at most 65535, not '${port}'`);
  const baseUrl = env['UMLAUF_BASE_URL'] || `http://localhost:${port}`;
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) problems.push(`UMLAUF_BASE_URL must be an http(s) URL, not '${baseUrl}'`);
  const smtpUrl = env['SMTP_URL'] || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) problems.push(`SMTP_URL must start with smtp:// or smtps://, not '${smtpUrl}'`);
  const mailFrom = env['MAIL_FROM'] || 'umlauf@localhost';
  if (!/^[^@\s]+@[^@\s]+$/.test(mailFrom.replace(/^.*<(.*)>$/, '$1'))) problems.push(`MAIL_FROM must be an e-mail address, not '${mailFrom}'`);
  const metricsToken = env['UMLAUF_METRICS_TOKEN'] || undefined;
  if (metricsToken && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) problems.push('UMLAUF_METRICS_TOKEN must be at least 16 printable characters without spaces');
  const demo = env['UMLAUF_DEMO'] ?? '';
  if (!['', '0', '1', 'true', 'false'].includes(demo)) problems.push(`UMLAUF_DEMO must be 1 or 0, not '${demo}'`);
  const config: Config = {
    http: {
      port,
      baseUrl,
      trustProxy: number('UMLAUF_TRUST_PROXY', 0, 0),
      sessionMilliseconds: number('UMLAUF_SESSION_MINUTES', 8 * 60, 1) * 60_000,
      jsonLimitBytes: number('UMLAUF_JSON_LIMIT_KB', 1024, 1) * 1024,
      xmlLimitBytes: number('UMLAUF_XML_LIMIT_KB', 5 * 1024, 1) * 1024,
      loginAttempts: number('UMLAUF_LOGIN_ATTEMPTS', 10, 1),
      loginAttemptsPerAddress: number('UMLAUF_LOGIN_ATTEMPTS_PER_ADDRESS', 100, 1),
      loginWindowMilliseconds: number('UMLAUF_LOGIN_WINDOW_SECONDS', 15 * 60, 1) * 1000,
      ...(metricsToken ? { metricsToken } : {}),
    },
    mail: { ...(smtpUrl ? { smtpUrl } : {}), from: mailFrom },
    demo: demo === '1' || demo === 'true',
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir: env['UMLAUF_DATA_DIR'] || './data',
    databasePoolSize: number('DATABASE_POOL_SIZE', 10, 1),
    embeddedVacuumMilliseconds: number('UMLAUF_PGLITE_VACUUM_SECONDS', 60, 0) * 1000,
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
