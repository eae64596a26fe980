/**
 * What a request needs to know of its caller, read in one query: the user
 * and, for the access checks, their groups with the groups above them, the
 * groups they are a member of themselves, and the absent colleagues they
 * stand in for now. Every request asks this; as four queries it was half of
 * the database calls of a typical request (measured on PGlite: 8 to 14 calls
 * per request, 5 of them finding the caller). The groups and deputies come
 * from the database function umlauf_caller (migrations/010), which keeps its
 * plan instead of planning the group walk on every request.
 */
import type { Knex } from 'knex';
import { userColumns, userFromRow, type UserRow } from './rows.js';
import type { User } from './types.js';

export interface CallerFacts {
  user: User;
  /** The user's groups and all their ancestors. */
  groups: string[];
  /** The groups the user is a member of themselves. */
  directGroups: string[];
  /** Whom the user stands in for at the moment asked. */
  deputyFor: string[];
}

const callerFactsQuery = `
select ${userColumns.map((column) => `u.${column}`).join(', ')},
  c.groups as caller_groups, c.direct_groups as caller_direct_groups, c.deputy_for as caller_deputy_for
from users u, umlauf_caller(u.id, ?) c where u.id = ?`;

export async function callerFacts(knex: Knex, userId: string, now: Date): Promise<CallerFacts | undefined> {
  type Row = UserRow & { caller_groups: string[]; caller_direct_groups: string[]; caller_deputy_for: string[] };
  const { rows } = await knex.raw<{ rows: Row[] }>(callerFactsQuery, [now, userId]);
  const row = rows[0];
  if (!row) return undefined;
  return { user: userFromRow(row), groups: row.caller_groups, directGroups: row.caller_direct_groups, deputyFor: row.caller_deputy_for };
}
