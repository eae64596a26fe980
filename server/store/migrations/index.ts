/**
 * The migrations in order, imported rather than read from disk so that they
 * run the same under tsx, in tests and in a bundled server. Add new ones at
 * the end; never edit or rename one that has landed (its name is recorded).
 */
import type { Knex } from 'knex';
import * as tables from './001_tables.js';
import * as stepFunctions from './002_step_functions.js';
import * as identity from './003_identity.js';
import * as chainVariables from './004_chain_variables.js';
import * as stepCounter from './005_step_counter.js';
import * as cheaperStepCounters from './006_cheaper_step_counters.js';
import * as readsConfirmedAtCommit from './007_reads_confirmed_at_commit.js';
import * as loginAttempts from './008_login_attempts.js';
import * as offeredTaskIndexes from './009_offered_task_indexes.js';
import * as callerFunction from './010_caller_function.js';
import * as unclaimedCandidateIndexes from './011_unclaimed_candidate_indexes.js';
import * as latestVersionsConfirmedAtCommit from './012_latest_versions_confirmed_at_commit.js';
import * as commitRows from './013_commit_rows.js';

interface Migration {
  name: string;
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}

const all: Migration[] = [
  { name: '001_tables', ...tables },
  { name: '002_step_functions', ...stepFunctions },
  { name: '003_identity', ...identity },
  { name: '004_chain_variables', ...chainVariables },
  { name: '005_step_counter', ...stepCounter },
  { name: '006_cheaper_step_counters', ...cheaperStepCounters },
  { name: '007_reads_confirmed_at_commit', ...readsConfirmedAtCommit },
  { name: '008_login_attempts', ...loginAttempts },
  { name: '009_offered_task_indexes', ...offeredTaskIndexes },
  { name: '010_caller_function', ...callerFunction },
  { name: '011_unclaimed_candidate_indexes', ...unclaimedCandidateIndexes },
  { name: '012_latest_versions_confirmed_at_commit', ...latestVersionsConfirmedAtCommit },
  { name: '013_commit_rows', ...commitRows },
];

export const migrations: Knex.MigrationSource<Migration> = {
  getMigrations: async () => all,
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};
