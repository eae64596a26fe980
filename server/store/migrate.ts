/** `npm run db:migrate`: brings the configured database's schema up to date and exits. */
import { loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from './database.js';

const config = loadConfig();
const database = openDatabase({ ...(config.databaseUrl ? { url: config.databaseUrl } : {}), dataDir: config.dataDir });
try {
  const applied = await migrateToLatest(database);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
} finally {
  await database.close();
}
