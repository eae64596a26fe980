/**
 * The state the stores on one embedded PGlite database share (see StepCache),
 * found through knex. On PostgreSQL there is none: other servers may write.
 */
import type { Knex } from 'knex';
import type { DefinitionRecord } from '../../engine/index.js';
import { StepCache } from './StepCache.js';

/** What of knex's client this reads: its configuration, the same object for the clients of its transactions. */
interface KnexClient {
  config: { client?: unknown };
}

/**
 * What the stores on one embedded database share: that database has one
 * writer, this process, so what its steps and deployments wrote is what is
 * stored (see StepCache). Keyed by knex's configuration, which the clients of
 * its transactions share.
 */
export interface SingleWriterState {
  steps: StepCache;
  latestDefinitions: Map<string, DefinitionRecord>;
}

const singleWriterStates = new WeakMap<object, SingleWriterState>();

/**
 * Tells the stores on this database that it was changed other than through
 * them (a test emptying its tables): what they kept of it is dropped.
 */
export function databaseChangedOutside(knex: Knex): void {
  const state = singleWriterStates.get((knex.client as KnexClient).config);
  state?.steps.clear();
  state?.latestDefinitions.clear();
}

/** The shared state of an embedded database; none on PostgreSQL, where other servers may write too. */
export function singleWriterStateOf(knex: Knex): SingleWriterState | undefined {
  const client = knex.client as KnexClient;
  if (client.config.client === 'pg') return undefined;
  let state = singleWriterStates.get(client.config);
  if (!state) {
    state = { steps: new StepCache(), latestDefinitions: new Map() };
    singleWriterStates.set(client.config, state);
  }
  return state;
}
