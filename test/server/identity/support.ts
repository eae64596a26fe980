/** A migrated test database whose identity tables are emptied before each test (freshStore() empties only the engine's). */
import type { Knex } from 'knex';
import { useTestDatabase } from '../../support/database.js';

const tables = ['users', 'groups', 'memberships', 'deputies', 'sessions', 'api_tokens', 'comments', 'instance_starts', 'audit_log'];

export function useIdentityDatabase(): { readonly knex: Knex } {
  const db = useTestDatabase();
  beforeEach(async () => {
    // TRUNCATE fires no row triggers, so it empties the append-only audit log too.
    await db.current.database.knex.raw(`truncate ${tables.join(', ')} restart identity cascade`);
  });
  return { get knex() { return db.current.database.knex; } };
}

/** Runs `action` and answers what it threw (undefined when it did not throw). */
export async function thrownBy(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}
