/**
 * Failed logins per client address, counted in the database so that every
 * server behind one load balancer counts the same guesses (see
 * server/http/loginAttempts.ts). Before, each server counted for itself, and
 * N servers allowed N times as many guesses.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_attempts', (table) => {
    table.text('key').primary();
    table.integer('hits').notNullable();
    table.timestamp('resets_at', { useTz: true }).notNullable();
    // Expired rows are swept by this index.
    table.index(['resets_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_attempts');
}
