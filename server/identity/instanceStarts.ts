/**
 * Who started which process instance, and the initiator's organisational
 * units at that moment. Supervisors see the instances of their units; the
 * units are frozen at start so that a later move of the initiator does not
 * change who may see an old folder.
 */
import type { Knex } from 'knex';

export interface InstanceStart {
  instanceId: string;
  startedBy: string;
  unitIds: string[];
  at: Date;
}

interface InstanceStartRow {
  instance_id: string;
  started_by: string;
  unit_ids: string[];
  started_at: Date;
}

function fromRow(row: InstanceStartRow): InstanceStart {
  return { instanceId: row.instance_id, startedBy: row.started_by, unitIds: row.unit_ids, at: new Date(row.started_at) };
}

export class InstanceStarts {
  constructor(private readonly knex: Knex) {}

  /** Recording the same instance twice is a programming error and fails with the database's unique violation. */
  async recordStart(start: InstanceStart): Promise<void> {
    await this.knex('instance_starts').insert({
      instance_id: start.instanceId, started_by: start.startedBy, unit_ids: [...new Set(start.unitIds)], started_at: start.at,
    });
  }

  async getStart(instanceId: string): Promise<InstanceStart | undefined> {
    const row = await this.knex<InstanceStartRow>('instance_starts').where({ instance_id: instanceId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** Whether the instance was started in one of these units (a supervisor's, from unitsSupervisedBy). */
  async startedInAnyOf(instanceId: string, unitIds: string[]): Promise<boolean> {
    if (unitIds.length === 0) return false;
    const row = await this.knex('instance_starts').select('instance_id').where({ instance_id: instanceId })
      .whereRaw('unit_ids && ?::text[]', [unitIds]).first() as unknown;
    return row !== undefined;
  }
}
