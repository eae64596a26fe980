/**
 * A step's change set as typed arguments instead of one jsonb document:
 * umlauf_commit_rows takes each table's rows as an array of a composite type
 * of its own (the columns in the order of server/store/rows.ts), and the
 * counters and versions to confirm as plain arrays. It does in one function
 * what umlauf_commit_confirmed (012), umlauf_commit_counted (005 to 007) and
 * umlauf_commit (004) did in three, with the same checks and SQLSTATEs.
 *
 * Reading a jsonb document (jsonb_in: lexing, building the tree, sorting
 * every object's keys) and then each record of it (jsonb_populate_recordset:
 * a key lookup per column, each value back to text) was about 30% of a
 * commit's instructions (callgrind, replaying 1,500 commit calls captured
 * from 8 clients on the store benchmark); reading the same rows as arrays of
 * composites is about 15%. Ids, numbers and times go without quotes (see
 * server/store/postgresLiterals.ts). Measured on the store benchmark with 8
 * clients on PostgreSQL, in six pairs of runs alternated with the jsonb
 * document: PostgreSQL's CPU time per instance 1,090 against 1,333 µs on
 * average, node's 1,062 against 1,085, and 583–769 against 508–621
 * instances/s.
 *
 * The older functions stay, for servers of the older code during an upgrade.
 */
import type { Knex } from 'knex';

/** Plans by key only, like the step functions (see byKeyOnly in 004). */
const byKeyOnly = 'set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off';

/**
 * A plan made for the values at hand knows how many rows an array holds, so
 * it always looks cheaper than the generic plan, and the plan cache seemed
 * to plan every statement of the function anew on every call: with 1 client
 * on PGlite, 196–226 instances/s against 321–339 with the jsonb document,
 * and as fast as that once this was set. The statements find their rows by
 * key whatever the arrays hold (byKeyOnly).
 */
const genericPlans = 'set plan_cache_mode = force_generic_plan';

/**
 * The composite type of each table's rows, in the column order of the
 * table's RowMapping (rows.ts), and the column types of the table.
 */
const rowTypes = {
  instances: {
    type: 'umlauf_instance_row',
    columns: [['id', 'text'], ['definition_key', 'text'], ['process_id', 'text'], ['version', 'int'], ['business_key', 'text'],
      ['state', 'text'], ['started_at', 'timestamptz'], ['ended_at', 'timestamptz'], ['parent_instance_id', 'text'],
      ['parent_element_instance_id', 'text'], ['open_incidents', 'int'], ['rev', 'int']],
  },
  element_instances: {
    type: 'umlauf_element_instance_row',
    columns: [['id', 'text'], ['instance_id', 'text'], ['definition_key', 'text'], ['scope_id', 'text'], ['element_id', 'text'],
      ['element_type', 'text'], ['rev', 'int'], ['state', 'jsonb']],
  },
  variables: {
    type: 'umlauf_variable_row',
    columns: [['scope_id', 'text'], ['instance_id', 'text'], ['name', 'text'], ['value', 'jsonb']],
  },
  user_tasks: {
    type: 'umlauf_user_task_row',
    columns: [['id', 'text'], ['element_instance_id', 'text'], ['instance_id', 'text'], ['process_id', 'text'], ['element_id', 'text'],
      ['name', 'text'], ['assignee', 'text'], ['candidate_users', 'text[]'], ['candidate_groups', 'text[]'],
      ['due_date', 'timestamptz'], ['follow_up_date', 'timestamptz'], ['priority', 'int'], ['form_key', 'text'], ['state', 'text'],
      ['created_at', 'timestamptz'], ['completed_at', 'timestamptz'], ['rev', 'int']],
  },
  jobs: {
    type: 'umlauf_job_row',
    columns: [['id', 'text'], ['kind', 'text'], ['purpose', 'text'], ['element_id', 'text'], ['definition_key', 'text'],
      ['instance_id', 'text'], ['element_instance_id', 'text'], ['due_at', 'timestamptz'], ['type', 'text'], ['retries', 'int'],
      ['failures', 'int'], ['last_error', 'text'], ['custom_headers', 'jsonb'], ['fired_count', 'int'], ['schedule', 'jsonb'],
      ['incident_id', 'text'], ['rev', 'int']],
  },
  subscriptions: {
    type: 'umlauf_subscription_row',
    columns: [['id', 'text'], ['kind', 'text'], ['purpose', 'text'], ['name', 'text'], ['correlation_key', 'text'],
      ['element_id', 'text'], ['definition_key', 'text'], ['instance_id', 'text'], ['element_instance_id', 'text'], ['rev', 'int']],
  },
  incidents: {
    type: 'umlauf_incident_row',
    columns: [['id', 'text'], ['instance_id', 'text'], ['element_instance_id', 'text'], ['element_id', 'text'], ['type', 'text'],
      ['message', 'text'], ['state', 'text'], ['created_at', 'timestamptz'], ['job_id', 'text'], ['phase', 'text'], ['rev', 'int']],
  },
  multi_instance_outputs: {
    type: 'umlauf_output_row',
    columns: [['body_id', 'text'], ['index', 'int'], ['value', 'jsonb']],
  },
  history: {
    type: 'umlauf_history_row',
    columns: [['at', 'timestamptz'], ['type', 'text'], ['instance_id', 'text'], ['element_id', 'text'], ['element_type', 'text'],
      ['element_instance_id', 'text'], ['details', 'jsonb']],
  },
} as const;

type Table = keyof typeof rowTypes;
type Versioned = 'instances' | 'element_instances' | 'user_tasks' | 'jobs' | 'subscriptions' | 'incidents';

const removalType = 'umlauf_row_removal';

/** One statement each: PGlite takes one statement per call. */
function typeStatements(): string[] {
  const types = Object.values(rowTypes).map(({ type, columns }) =>
    `create type ${type} as (${columns.map(([name, columnType]) => `${name} ${columnType}`).join(', ')})`);
  return [...types, `create type ${removalType} as (id text, rev int)`];
}

const columnsOf = (table: Table): string[] => rowTypes[table].columns.map(([name]) => name);

/** Removes the rows named with their rev; a row at another rev (or gone) is a lost race. */
function removals(table: Versioned, argument: string): string {
  return `
  if cardinality(${argument}) > 0 then
    delete from ${table} t using unnest(${argument}) r where t.id = r.id and t.rev = r.rev;
    get diagnostics affected = row_count;
    if affected <> cardinality(${argument}) then
      raise exception 'a ${table} row was changed by someone else' using errcode = 'UM409';
    end if;
  end if;`;
}

/** Inserts the rows at rev 1 and updates the others from the rev before; anything else is a lost race. */
function puts(table: Versioned, argument: string): string {
  const columns = columnsOf(table);
  const assignments = columns.filter((column) => column !== 'id').map((column) => `${column} = r.${column}`);
  // A job written by a step is no longer claimed: the step has dealt with it.
  if (table === 'jobs') assignments.push('lock_owner = null', 'lock_expires_at = null');
  return `
  if cardinality(${argument}) > 0 then
    insert into ${table} (${columns.join(', ')})
      select ${columns.map((column) => `r.${column}`).join(', ')} from unnest(${argument}) r where r.rev = 1
      on conflict (id) do nothing;
    get diagnostics affected = row_count;
    update ${table} t set ${assignments.join(', ')}
      from unnest(${argument}) r
      where r.rev > 1 and t.id = r.id and t.rev = r.rev - 1;
    get diagnostics updated = row_count;
    if affected + updated <> cardinality(${argument}) then
      raise exception 'a ${table} row was changed by someone else' using errcode = 'UM409';
    end if;
  end if;`;
}

/**
 * Rows without a rev, keyed by their owner (a variable's scope, an output's
 * multi-instance body) and a name or index: all rows of the owners in
 * `removalsArgument` are removed, then the rows given are written over
 * whatever stands under their keys.
 */
function ownedRows(table: 'variables' | 'multi_instance_outputs', key: [string, string], removalsArgument: string, argument: string): string {
  const columns = columnsOf(table);
  const updates = columns.filter((column) => !key.includes(column)).map((column) => `${column} = excluded.${column}`);
  return `
  if cardinality(${removalsArgument}) > 0 then
    delete from ${table} where ${key[0]} = any(${removalsArgument});
  end if;
  if cardinality(${argument}) > 0 then
    insert into ${table} (${columns.join(', ')})
      select ${columns.map((column) => `r.${column}`).join(', ')} from unnest(${argument}) r
      on conflict (${key.join(', ')}) do update set ${updates.join(', ')};
  end if;`;
}

const historyColumns = columnsOf('history').join(', ');

const commitRowsFunction = `
create or replace function umlauf_commit_rows(
  steps text[],
  look_up_element_instances text[], look_up_jobs text[], look_up_subscriptions text[],
  expected_instances text[], expected_step_seqs bigint[],
  expected_processes text[], expected_versions int[],
  instance_rows ${rowTypes.instances.type}[],
  element_instance_removals ${removalType}[], element_instance_rows ${rowTypes.element_instances.type}[],
  variable_scope_removals text[], variable_rows ${rowTypes.variables.type}[],
  user_task_rows ${rowTypes.user_tasks.type}[],
  job_removals ${removalType}[], job_rows ${rowTypes.jobs.type}[],
  subscription_removals ${removalType}[], subscription_rows ${rowTypes.subscriptions.type}[],
  incident_rows ${rowTypes.incidents.type}[],
  output_body_removals text[], output_rows ${rowTypes.multi_instance_outputs.type}[],
  history_rows ${rowTypes.history.type}[]
) returns jsonb language plpgsql ${byKeyOnly} ${genericPlans} as $$
declare
  removed text[] := '{}';
  counters jsonb := '{}';
  moved bigint;
  affected bigint;
  updated bigint;
begin
  -- The versions the step took as the latest of their processes (migrations/012).
  if cardinality(expected_processes) > 0 and exists (
    select 1 from unnest(expected_processes, expected_versions) as e(process_id, version)
      join definitions d on d.process_id = e.process_id and d.version > e.version) then
    raise exception 'a newer version of a process the step started was deployed meanwhile' using errcode = 'UM410';
  end if;

  -- The step counters (migrations/005 to 007): the instances of removals the server did not know, read from their rows.
  if cardinality(look_up_element_instances) + cardinality(look_up_jobs) + cardinality(look_up_subscriptions) > 0 then
    select coalesce(array_agg(found.instance_id), '{}') into removed from (
      select t.instance_id from element_instances t where t.id = any(look_up_element_instances)
      union all
      select t.instance_id from jobs t where t.id = any(look_up_jobs)
      union all
      select t.instance_id from subscriptions t where t.id = any(look_up_subscriptions)
    ) found where found.instance_id is not null;
  end if;
  -- Every instance is locked in the order of the ids, as in 005; one only read keeps its counter.
  if cardinality(steps) + cardinality(removed) + cardinality(expected_instances) > 0 then
    with touched as (
      select id, bool_or(counts) as counts from (
        select s.id, true as counts from unnest(steps) as s(id)
        union all
        select r.id, true from unnest(removed) as r(id)
        union all
        select e.id, false from unnest(expected_instances) as e(id)
      ) named group by id
      order by id
    ), counted as (
      update instances t set step_seq = t.step_seq + case when touched.counts then 1 else 0 end
        from touched where t.id = touched.id
        returning t.id, t.step_seq, touched.counts
    )
    select coalesce(jsonb_object_agg(c.id, c.step_seq) filter (where c.counts), '{}'),
      (select count(*) from unnest(expected_instances, expected_step_seqs) as e(id, step_seq) where not exists (
        select 1 from counted k where k.id = e.id and k.step_seq - case when k.counts then 1 else 0 end = e.step_seq))
      into counters, moved
      from counted c;
    if moved > 0 then
      raise exception 'an instance the step read was changed by another server meanwhile' using errcode = 'UM409';
    end if;
  end if;

  ${puts('instances', 'instance_rows')}
  ${removals('element_instances', 'element_instance_removals')}
  ${puts('element_instances', 'element_instance_rows')}
  ${ownedRows('variables', ['scope_id', 'name'], 'variable_scope_removals', 'variable_rows')}
  ${puts('user_tasks', 'user_task_rows')}
  ${removals('jobs', 'job_removals')}
  ${puts('jobs', 'job_rows')}
  ${removals('subscriptions', 'subscription_removals')}
  ${puts('subscriptions', 'subscription_rows')}
  ${puts('incidents', 'incident_rows')}
  ${ownedRows('multi_instance_outputs', ['body_id', 'index'], 'output_body_removals', 'output_rows')}
  -- History in the order of the steps' events: its sequence numbers tell that order.
  if cardinality(history_rows) > 0 then
    insert into history (${historyColumns})
      select ${columnsOf('history').map((column) => `r.${column}`).join(', ')}
      from unnest(history_rows) with ordinality as r(${historyColumns}, position)
      order by r.position;
  end if;
  return counters;
end
$$;`;

export async function up(knex: Knex): Promise<void> {
  for (const statement of typeStatements()) await knex.raw(statement);
  await knex.raw(commitRowsFunction);
}

/** Servers of this migration's code must be stopped first: they call the function. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists umlauf_commit_rows');
  for (const type of [...Object.values(rowTypes).map((row) => row.type), removalType]) await knex.raw(`drop type if exists ${type}`);
}
