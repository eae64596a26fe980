/**
 * Identity and access: users, nested organisational units (groups) and their
 * members, deputies for absence periods, login sessions, API tokens, the
 * append-only audit log, folder comments and who started which instance (for
 * supervisor visibility). User ids are the login names that BPMN assignees
 * name, so the engine's tables keep referring to people by text, not by key.
 */
import type { Knex } from 'knex';

const timestamp = { useTz: true } as const;

async function createPeople(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.text('id').primary();
    table.text('display_name').notNullable();
    table.text('email');
    // Null: the account cannot log in with a password (e.g. integrations with tokens only).
    table.text('password_hash');
    table.specificType('roles', 'text[]').notNullable().defaultTo('{}');
    table.boolean('active').notNullable().defaultTo(true);
    table.timestamp('created_at', timestamp).notNullable();
  });

  await knex.schema.createTable('groups', (table) => {
    table.text('id').primary();
    table.text('name').notNullable();
    table.text('parent_id').references('id').inTable('groups');
  });

  await knex.schema.createTable('memberships', (table) => {
    table.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('group_id').notNullable().references('id').inTable('groups').onDelete('CASCADE');
    table.primary(['user_id', 'group_id']);
    table.index(['group_id']);
  });

  await knex.schema.createTable('deputies', (table) => {
    table.text('id').primary();
    table.text('absent_user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('deputy_user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.timestamp('starts_at', timestamp).notNullable();
    table.timestamp('ends_at', timestamp).notNullable();
    table.timestamp('created_at', timestamp).notNullable();
    table.check('absent_user_id <> deputy_user_id', [], 'deputies_not_self');
    table.check('ends_at > starts_at', [], 'deputies_period');
    table.index(['deputy_user_id', 'starts_at', 'ends_at']);
    table.index(['absent_user_id']);
  });
}

async function createCredentials(knex: Knex): Promise<void> {
  // Only a hash of the session token is stored: a leaked table does not log anyone in.
  await knex.schema.createTable('sessions', (table) => {
    table.text('id_hash').primary();
    table.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('csrf_token').notNullable();
    table.timestamp('created_at', timestamp).notNullable();
    table.timestamp('expires_at', timestamp).notNullable();
    table.timestamp('last_seen_at', timestamp).notNullable();
    table.index(['user_id']);
    table.index(['expires_at']);
  });

  await knex.schema.createTable('api_tokens', (table) => {
    table.text('id').primary();
    table.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.text('name').notNullable();
    table.text('secret_hash').notNullable();
    table.timestamp('created_at', timestamp).notNullable();
    table.timestamp('last_used_at', timestamp);
    table.timestamp('revoked_at', timestamp);
    table.index(['user_id']);
  });
}

// Append-only: the audit log is evidence, so the database itself refuses to change it.
const appendOnlyFunction = `
create or replace function umlauf_audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'UM403';
end
$$`;

const appendOnlyTrigger = `
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function umlauf_audit_log_append_only();`;

async function createRecords(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (table) => {
    table.bigIncrements('id');
    table.timestamp('at', timestamp).notNullable();
    table.text('actor_id');
    table.text('on_behalf_of');
    table.text('action').notNullable();
    table.text('object_type').notNullable();
    table.text('object_id');
    table.text('instance_id');
    table.integer('status').notNullable();
    table.jsonb('details');
    table.index(['instance_id', 'id']);
    table.index(['actor_id', 'id']);
  });
  await knex.raw(appendOnlyFunction);
  await knex.raw(appendOnlyTrigger);

  await knex.schema.createTable('comments', (table) => {
    table.text('id').primary();
    table.text('instance_id').notNullable();
    table.text('task_id');
    table.text('author_id').notNullable();
    table.text('on_behalf_of');
    table.text('text').notNullable();
    table.timestamp('created_at', timestamp).notNullable();
    table.index(['instance_id', 'created_at']);
    table.index(['task_id']);
  });

  await knex.schema.createTable('instance_starts', (table) => {
    table.text('instance_id').primary();
    table.text('started_by').notNullable();
    // Frozen at start: a later move of the initiator does not change who supervises the folder.
    table.specificType('unit_ids', 'text[]').notNullable();
    table.timestamp('started_at', timestamp).notNullable();
    table.index(['unit_ids'], 'instance_starts_unit_ids_gin', 'gin');
    table.index(['started_by']);
  });
}

export async function up(knex: Knex): Promise<void> {
  await createPeople(knex);
  await createCredentials(knex);
  await createRecords(knex);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['instance_starts', 'comments', 'audit_log', 'api_tokens', 'sessions', 'deputies', 'memberships',
    'groups', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop function if exists umlauf_audit_log_append_only()');
}
