/**
 * Deputies (Vertretungen): for a period, one user stands in for an absent
 * colleague. Only direct rows count: a deputy's own deputy is not used, so a
 * task never travels further than one hand from the person it was meant for.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { IdentityNotFoundError, IdentityValidationError, mapConstraintErrors } from './errors.js';
import { deputyFromRow, type DeputyRow } from './rows.js';
import type { Deputy } from './types.js';

export interface NewDeputy {
  absentUserId: string;
  deputyUserId: string;
  startsAt: Date;
  endsAt: Date;
  createdAt?: Date;
}

export interface DeputyQuery {
  /** Only the periods in which this user is the absent one or the deputy. */
  userId?: string;
}

export class Deputies {
  constructor(private readonly knex: Knex) {}

  /** The schema checks the same rules; checking here first gives a clearer message. */
  async create(deputy: NewDeputy): Promise<Deputy> {
    if (deputy.absentUserId === deputy.deputyUserId) throw new IdentityValidationError('a user cannot be their own deputy');
    if (deputy.endsAt <= deputy.startsAt) throw new IdentityValidationError('an absence must end after it starts');
    const row: DeputyRow = {
      id: randomUUID(), absent_user_id: deputy.absentUserId, deputy_user_id: deputy.deputyUserId,
      starts_at: deputy.startsAt, ends_at: deputy.endsAt, created_at: deputy.createdAt ?? new Date(),
    };
    await mapConstraintErrors(() => this.knex('deputies').insert(row), row.id,
      () => new IdentityNotFoundError('user', `${deputy.absentUserId} or ${deputy.deputyUserId}`));
    return deputyFromRow(row);
  }

  async get(id: string): Promise<Deputy | undefined> {
    const row = await this.knex<DeputyRow>('deputies').where({ id }).first();
    return row ? deputyFromRow(row) : undefined;
  }

  /** Ordered by start, then id. */
  async list(query: DeputyQuery = {}): Promise<Deputy[]> {
    const builder = this.knex<DeputyRow>('deputies').orderBy([{ column: 'starts_at' }, { column: 'id' }]);
    const { userId } = query;
    if (userId !== undefined) void builder.where((where) => where.where({ absent_user_id: userId }).orWhere({ deputy_user_id: userId }));
    return (await builder).map(deputyFromRow);
  }

  async delete(id: string): Promise<void> {
    // `returning` rather than the count: knex-pglite does not report how many rows a DELETE removed.
    const deleted = await this.knex('deputies').where({ id }).delete().returning('id');
    if (deleted.length === 0) throw new IdentityNotFoundError('deputy', id);
  }
}
