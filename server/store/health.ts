/** Whether the database answers now: what /readyz reports, and what a server checks before it claims work. */
import type { Database } from './database.js';

export async function isDatabaseReachable(database: Database, timeoutMilliseconds = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMilliseconds); });
  const probe = database.knex.raw('select 1').then(() => true, () => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
