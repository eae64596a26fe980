/** `npm run seed:demo`: creates the demo organisation in the configured database, then exits. */
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { startServer } from '../startServer.js';

const log = pino({ name: 'umlauf-seed', level: process.env['LOG_LEVEL'] ?? 'info' });

try {
  const config = loadConfig();
  // A server on a free port with the demo flag on: the same wiring as npm start, then it stops again.
  const server = await startServer({ ...config, demo: true, http: { ...config.http, port: 0 } }, log, { pollJobs: false });
  await server.stop();
} catch (error) {
  if (error instanceof ConfigError) log.fatal(error.message);
  else log.fatal({ err: error }, 'the demo data could not be created');
  process.exitCode = 1;
}
