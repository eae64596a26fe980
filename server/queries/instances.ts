/**
 * Lists process instances for the tracking views, straight from the engine's
 * instances table joined with who started them, newest first, keyset-paged.
 * Visibility is part of the query: admins see all, others the instances they
 * started and, as supervisors, those started in the units they supervise.
 */
import type { Knex } from 'knex';
import type { InstanceRecord, InstanceState } from '../../engine/index.js';
import type { CursorPosition } from '../http/cursor.js';
import { keysetPage, type KeysetPage } from './keysetPage.js';

export interface InstanceFilter {
  processId?: string;
  state?: InstanceState;
  businessKey?: string;
  limit: number;
  after?: CursorPosition;
}

export interface InstanceViewer {
  all: boolean;
  userId: string;
  /** Units whose instances the viewer supervises; empty for non-supervisors. */
  supervisedUnits: string[];
}

export type InstanceSummary = Pick<InstanceRecord, 'id' | 'processId' | 'version' | 'businessKey' | 'state' | 'startedAt' | 'endedAt'> & {
  startedBy?: string;
};

interface Row {
  id: string;
  process_id: string;
  version: number;
  business_key: string | null;
  state: InstanceState;
  started_at: Date | string;
  ended_at: Date | string | null;
  started_by: string | null;
}

export async function listInstances(knex: Knex, viewer: InstanceViewer, filter: InstanceFilter): Promise<KeysetPage<InstanceSummary>> {
  const query = knex('instances as i')
    .leftJoin('instance_starts as s', 's.instance_id', 'i.id')
    .select('i.id', 'i.process_id', 'i.version', 'i.business_key', 'i.state', 'i.started_at', 'i.ended_at', 's.started_by')
    .orderBy([{ column: 'i.started_at', order: 'desc' }, { column: 'i.id', order: 'desc' }])
    .limit(filter.limit + 1);
  if (filter.processId) query.where('i.process_id', filter.processId);
  if (filter.state) query.where('i.state', filter.state);
  if (filter.businessKey) query.where('i.business_key', filter.businessKey);
  if (filter.after) query.whereRaw('(i.started_at, i.id) < (?::timestamptz, ?)', [filter.after.value, filter.after.id]);
  if (!viewer.all) {
    query.where((visible) => {
      visible.where('s.started_by', viewer.userId);
      if (viewer.supervisedUnits.length > 0) visible.orWhereRaw('s.unit_ids && ?::text[]', [viewer.supervisedUnits]);
    });
  }
  const rows = ((await query) as Row[]).map(summaryOf);
  return keysetPage(rows, filter.limit, (last) => ({ value: last.startedAt, id: last.id }));
}

function summaryOf(row: Row): InstanceSummary {
  return {
    id: row.id,
    processId: row.process_id,
    version: row.version,
    state: row.state,
    startedAt: new Date(row.started_at).toISOString(),
    ...(row.business_key !== null ? { businessKey: row.business_key } : {}),
    ...(row.ended_at !== null ? { endedAt: new Date(row.ended_at).toISOString() } : {}),
    ...(row.started_by !== null ? { startedBy: row.started_by } : {}),
  };
}
