/**
 * Umlauf's server process: reads the configuration, opens the database
 * (embedded PGlite by default, PostgreSQL with DATABASE_URL), brings the
 * schema up to date, serves the HTTP API and runs due jobs until SIGTERM or
 * SIGINT. `npm start -- --demo` (or UMLAUF_DEMO=1) creates the demo
 * organisation first.
 */
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './startServer.js';

const log = pino({ name: 'umlauf', level: process.env['LOG_LEVEL'] ?? 'info' });

try {
  const config = loadConfig();
  if (process.argv.includes('--demo')) config.demo = true;
  const server = await startServer(config, log);
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: no new jobs are claimed and no new requests accepted; work in flight finishes');
    void server.stop().then(() => process.exit(0), (error: unknown) => {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  if (error instanceof ConfigError) log.fatal(error.message);
  else log.fatal({ err: error }, 'Umlauf could not start');
  process.exit(1);
}
