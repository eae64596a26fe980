/**
 * The state the stores on one database share in this process, found through
 * knex: the step cache (see StepCache) and the latest version of each
 * process (see LatestVersions).
 */
import type { Knex } from 'knex';
import type { DefinitionRecord } from '../../engine/index.js';
import { StepCache } from './StepCache.js';

/** What of knex's client this reads: its configuration, the same object for the clients of its transactions. */
interface KnexClient {
  config: { client?: unknown };
}

/**
 * What the stores on one database share, keyed by knex's configuration, which
 * the clients of its transactions share.
 */
export interface SharedStoreState {
  /** Counted on PostgreSQL, where other servers write too; on PGlite this process is the one writer. */
  steps: StepCache;
  /**
   * The latest definition of each process as last seen; on PostgreSQL a
   * start's commit confirms it (see LatestVersions), since a version another
   * server deploys must be started at once.
   */
  latestDefinitions: Map<string, DefinitionRecord>;
}

const sharedStates = new WeakMap<object, SharedStoreState>();

/** Whether knex talks to PostgreSQL through `pg` (other servers may write), rather than to embedded PGlite. */
export function onPostgres(knex: Knex): boolean {
  return (knex.client as KnexClient).config.client === 'pg';
}

/**
 * Tells the stores on this database that it was changed other than through
 * them (a test emptying its tables): what they kept of it is dropped.
 */
export function databaseChangedOutside(knex: Knex): void {
  const state = sharedStates.get((knex.client as KnexClient).config);
  state?.steps.clear();
  state?.latestDefinitions.clear();
}

export function sharedStateOf(knex: Knex): SharedStoreState {
  const config = (knex.client as KnexClient).config;
  let state = sharedStates.get(config);
  if (!state) {
    const postgres = onPostgres(knex);
    state = { steps: new StepCache(undefined, postgres), latestDefinitions: new Map() };
    sharedStates.set(config, state);
  }
  return state;
}
