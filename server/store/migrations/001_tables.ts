/**
 * The engine's tables: one row per definition, instance, element instance,
 * variable, user task, job, subscription, incident and history event, so that
 * a step touches only the rows it changes and an inbox can query tasks by
 * column. Landed migrations are never edited; change the schema in a new one.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('deployments', (table) => {
    table.text('id').primary();
    table.timestamp('deployed_at', { useTz: true }).notNullable();
    table.text('xml').notNullable();
  });

  await knex.schema.createTable('definitions', (table) => {
    table.text('key').primary();
    table.text('process_id').notNullable();
    table.integer('version').notNullable();
    table.text('name');
    table.text('deployment_id').notNullable().references('id').inTable('deployments');
    table.timestamp('deployed_at', { useTz: true }).notNullable();
    table.unique(['process_id', 'version']);
  });

  await knex.schema.createTable('instances', (table) => {
    table.text('id').primary();
    table.text('definition_key').notNullable();
    table.text('process_id').notNullable();
    table.integer('version').notNullable();
    table.text('business_key');
    table.text('state').notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('ended_at', { useTz: true });
    table.text('parent_instance_id');
    table.text('parent_element_instance_id');
    table.integer('open_incidents').notNullable();
    table.integer('rev').notNullable();
    table.index(['process_id', 'state']);
    table.index(['business_key']);
    table.index(['parent_instance_id']);
  });

  // The columns a query needs; the rest of an element instance (token count,
  // attachments, multi-instance counters, join arrivals …) is its `state`.
  await knex.schema.createTable('element_instances', (table) => {
    table.text('id').primary();
    table.text('instance_id').notNullable();
    table.text('definition_key').notNullable();
    table.text('scope_id');
    table.text('element_id').notNullable();
    table.text('element_type').notNullable();
    table.jsonb('state').notNullable();
    table.integer('rev').notNullable();
    table.index(['scope_id', 'element_id']);
    table.index(['instance_id']);
  });

  await knex.schema.createTable('variables', (table) => {
    table.text('scope_id').notNullable();
    table.text('name').notNullable();
    table.text('instance_id').notNullable();
    table.jsonb('value');
    table.primary(['scope_id', 'name']);
    table.index(['instance_id']);
  });

  await knex.schema.createTable('user_tasks', (table) => {
    table.text('id').primary();
    table.text('element_instance_id').notNullable();
    table.text('instance_id').notNullable();
    table.text('process_id').notNullable();
    table.text('element_id').notNullable();
    table.text('name');
    table.text('assignee');
    table.specificType('candidate_users', 'text[]').notNullable();
    table.specificType('candidate_groups', 'text[]').notNullable();
    table.timestamp('due_date', { useTz: true });
    table.timestamp('follow_up_date', { useTz: true });
    table.integer('priority').notNullable();
    table.text('form_key');
    table.text('state').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('completed_at', { useTz: true });
    table.integer('rev').notNullable();
    table.index(['assignee', 'state']);
    table.index(['state', 'due_date']);
    table.index(['instance_id']);
    table.index(['candidate_groups'], undefined, 'gin');
    table.index(['candidate_users'], undefined, 'gin');
  });

  await knex.schema.createTable('jobs', (table) => {
    table.text('id').primary();
    table.text('kind').notNullable();
    table.text('purpose').notNullable();
    table.text('element_id').notNullable();
    table.text('definition_key').notNullable();
    table.text('instance_id');
    table.text('element_instance_id');
    table.timestamp('due_at', { useTz: true }).notNullable();
    table.text('type');
    table.integer('retries').notNullable();
    table.integer('failures');
    table.text('last_error');
    table.jsonb('custom_headers');
    table.integer('fired_count');
    table.jsonb('schedule');
    table.text('incident_id');
    table.integer('rev').notNullable();
    // Set by the job runner's claim, cleared whenever a step writes the job.
    table.text('lock_owner');
    table.timestamp('lock_expires_at', { useTz: true });
    table.index(['definition_key']);
  });
  await knex.raw('create index jobs_due on jobs (due_at) where incident_id is null');

  await knex.schema.createTable('subscriptions', (table) => {
    table.text('id').primary();
    table.text('kind').notNullable();
    table.text('purpose').notNullable();
    table.text('name').notNullable();
    table.text('correlation_key');
    table.text('element_id').notNullable();
    table.text('definition_key').notNullable();
    table.text('instance_id');
    table.text('element_instance_id');
    table.integer('rev').notNullable();
    table.index(['kind', 'name', 'correlation_key']);
    table.index(['definition_key']);
  });

  await knex.schema.createTable('incidents', (table) => {
    table.text('id').primary();
    table.text('instance_id').notNullable();
    table.text('element_instance_id').notNullable();
    table.text('element_id').notNullable();
    table.text('type').notNullable();
    table.text('message').notNullable();
    table.text('state').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.text('job_id');
    table.text('phase').notNullable();
    table.integer('rev').notNullable();
    table.index(['instance_id']);
    table.index(['state']);
  });

  await knex.schema.createTable('multi_instance_outputs', (table) => {
    table.text('body_id').notNullable();
    table.integer('index').notNullable();
    table.jsonb('value');
    table.primary(['body_id', 'index']);
  });

  // Append-only: rows are inserted, never updated.
  await knex.schema.createTable('history', (table) => {
    table.bigIncrements('seq').primary();
    table.text('instance_id').notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('type').notNullable();
    table.text('element_id').notNullable();
    table.text('element_type').notNullable();
    table.text('element_instance_id').notNullable();
    table.jsonb('details');
    table.index(['instance_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['history', 'multi_instance_outputs', 'incidents', 'subscriptions', 'jobs', 'user_tasks', 'variables',
    'element_instances', 'instances', 'definitions', 'deployments']) {
    await knex.schema.dropTableIfExists(table);
  }
}
