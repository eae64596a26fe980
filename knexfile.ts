/**
 * knex environments, for the knex CLI and tools; the server opens the
 * database through server/store/database.ts with the same settings.
 *   development (default): embedded PGlite in UMLAUF_DATA_DIR (./data)
 *   production: PostgreSQL at DATABASE_URL
 */
import type { Knex } from 'knex';
import { knexConfig } from './server/store/database.js';

const config: Record<string, Knex.Config> = {
  development: knexConfig({ dataDir: process.env['UMLAUF_DATA_DIR'] || './data' }),
  production: knexConfig({ url: process.env['DATABASE_URL'] ?? 'postgres://localhost/umlauf' }),
};

export default config;
