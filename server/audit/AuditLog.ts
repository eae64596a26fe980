/**
 * The audit log: every state-changing request — who, acting for whom (as a
 * deputy), what, on which object, with which outcome. The table refuses
 * UPDATE and DELETE (a trigger in migration 003), so this class only appends
 * and reads.
 */
import type { Knex } from 'knex';
import { storableText } from '../../engine/index.js';

export interface AuditEntry {
  at: Date;
  /** The user or integration that made the request; absent for anonymous requests. */
  actorId?: string;
  /** The absent colleague the actor worked for as a deputy. */
  onBehalfOf?: string;
  /** e.g. `task.complete`, `user.update`. */
  action: string;
  /** e.g. `task`, `process-instance`, `user`. */
  objectType: string;
  objectId?: string;
  /** The process instance the object belongs to, so that an instance's record can be read in one query. */
  instanceId?: string;
  /** The HTTP status the request ended with. */
  status: number;
  details?: Record<string, unknown>;
}

/** A recorded entry; ids grow with each append, so they give the order. */
export interface AuditRecord extends AuditEntry {
  id: number;
}

interface AuditRow {
  id: string | number;
  at: Date;
  actor_id: string | null;
  on_behalf_of: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  instance_id: string | null;
  status: number;
  details: Record<string, unknown> | null;
}

/** Null columns become absent fields; bigint ids arrive as strings from pg and are far below 2^53. */
function fromRow(row: AuditRow): AuditRecord {
  const optional = { actorId: row.actor_id, onBehalfOf: row.on_behalf_of, objectId: row.object_id, instanceId: row.instance_id, details: row.details };
  const present = Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== null));
  return { id: Number(row.id), at: new Date(row.at), action: row.action, objectType: row.object_type, status: row.status, ...present };
}

/**
 * A refused request is recorded too, with what it named, and that may hold
 * U+0000 or an unpaired UTF-16 surrogate, which PostgreSQL stores in no text
 * or jsonb: each is kept as U+FFFD, so that the entry is written rather
 * than lost. (With the `u` flag, a well-formed pair is one code point and
 * does not match.)
 */
function storable(text: string | undefined): string | null {
  return text === undefined ? null : storableText(text);
}

export class AuditLog {
  constructor(private readonly knex: Knex) {}

  /** Appends an entry and answers its id. */
  async record(entry: AuditEntry): Promise<number> {
    const [row] = await this.knex('audit_log').insert({
      at: entry.at, actor_id: storable(entry.actorId), on_behalf_of: storable(entry.onBehalfOf), action: entry.action,
      object_type: entry.objectType, object_id: storable(entry.objectId), instance_id: storable(entry.instanceId),
      status: entry.status,
      // The keys of details are the routes' own; the values may be what a request named.
      details: entry.details === undefined ? null : JSON.stringify(entry.details, (_key, value: unknown) => (typeof value === 'string' ? storable(value) : value)),
    }).returning('id') as { id: string | number }[];
    return Number(row?.id);
  }

  /** An instance's entries in the order they were recorded, from after `afterId` (a cursor), at most `limit` (100). */
  async listForInstance(instanceId: string, options: { limit?: number; afterId?: number } = {}): Promise<AuditRecord[]> {
    const rows = await this.knex<AuditRow>('audit_log').where({ instance_id: instanceId })
      .where('id', '>', options.afterId ?? 0).orderBy('id').limit(options.limit ?? 100);
    return rows.map(fromRow);
  }
}
