/** What the HTTP layer works with; createApp receives it whole, so tests can build an app on any database. */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import type { HttpSettings } from '../config.js';
import type { IdentityStore } from '../identity/IdentityStore.js';
import type { AuditLog } from '../audit/AuditLog.js';
import type { Comments } from '../comments/Comments.js';
import type { InstanceStarts } from '../identity/instanceStarts.js';
import type { Metrics } from './metrics.js';

export interface Services {
  engine: Engine;
  /** The database, for the read models (inbox, instance lists) that query the engine's tables directly. */
  knex: Knex;
  identity: IdentityStore;
  audit: AuditLog;
  comments: Comments;
  instanceStarts: InstanceStarts;
  http: HttpSettings;
  log: Logger;
  metrics: Metrics;
  clock: () => Date;
  /** True while the database answers; /readyz reports it. */
  isReady: () => Promise<boolean>;
}
