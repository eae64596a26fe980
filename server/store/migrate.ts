/** `npm run db:migrate`: brings the configured database's schema up to date and exits. */
import { databaseOptions, loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from './database.js';

const database = openDatabase(databaseOptions(loadConfig()));
try {
  const applied = await migrateToLatest(database);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
} finally {
  await database.close();
}
