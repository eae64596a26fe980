/**
 * The step functions of 002, made cheaper per step (measured on the store
 * benchmark): both plan by key only (see byKeyOnly), umlauf_commit skips the
 * parts of a change set that are empty, and umlauf_load answers a scopeChain
 * key that asks for `variables` with the variables of every scope in the
 * chain as well. A step that completes a task
 * reads variables up the chain (an assignee expression, an output mapping);
 * without them it ran once as a guess and loaded what it missed in a second
 * round trip. Large values are named but not sent, so a confirmation among
 * 9,000 siblings does not ship the 9,000-name list on every step: a value of
 * more than 2 kB as JSON text, or beyond 16 kB in all, innermost scope first,
 * is left for the step to load if it reads it. A value stored in more than
 * 2 kB (pg_column_size tells that without reading a TOASTed value) is not
 * even rendered as text to measure it.
 */
import type { Knex } from 'knex';
import * as stepFunctions from './002_step_functions.js';

/** Versioned tables (as in 002): the JSON key of the change set and the columns, id first. */
const versioned = {
  instances: {
    key: 'instances',
    columns: ['id', 'definition_key', 'process_id', 'version', 'business_key', 'state', 'started_at', 'ended_at',
      'parent_instance_id', 'parent_element_instance_id', 'open_incidents', 'rev'],
  },
  element_instances: {
    key: 'elementInstances',
    columns: ['id', 'instance_id', 'definition_key', 'scope_id', 'element_id', 'element_type', 'state', 'rev'],
  },
  user_tasks: {
    key: 'userTasks',
    columns: ['id', 'element_instance_id', 'instance_id', 'process_id', 'element_id', 'name', 'assignee', 'candidate_users',
      'candidate_groups', 'due_date', 'follow_up_date', 'priority', 'form_key', 'state', 'created_at', 'completed_at', 'rev'],
  },
  jobs: {
    key: 'jobs',
    columns: ['id', 'kind', 'purpose', 'element_id', 'definition_key', 'instance_id', 'element_instance_id', 'due_at', 'type',
      'retries', 'failures', 'last_error', 'custom_headers', 'fired_count', 'schedule', 'incident_id', 'rev'],
  },
  subscriptions: {
    key: 'subscriptions',
    columns: ['id', 'kind', 'purpose', 'name', 'correlation_key', 'element_id', 'definition_key', 'instance_id',
      'element_instance_id', 'rev'],
  },
  incidents: {
    key: 'incidents',
    columns: ['id', 'instance_id', 'element_instance_id', 'element_id', 'type', 'message', 'state', 'created_at', 'job_id',
      'phase', 'rev'],
  },
} as const;

type Table = keyof typeof versioned;

/**
 * Runs `body` only when the list at `path` has entries. Most of a change set
 * is empty lists, and a guard is a cheap expression where each skipped
 * statement would have started an executor over an empty recordset.
 */
function whenAny(path: string, body: string): string {
  return `
  if jsonb_array_length(coalesce(${path}, '[]')) > 0 then${body}
  end if;`;
}

function putsPath(table: Table): string {
  const { key } = versioned[table];
  return table === 'jobs' || table === 'subscriptions' || table === 'element_instances' ? `changes->'${key}'->'put'` : `changes->'${key}'`;
}

function removals(table: Table): string {
  const path = `changes->'${versioned[table].key}'->'remove'`;
  return whenAny(path, `
    delete from ${table} t using jsonb_to_recordset(${path}) as r(id text, rev int)
      where t.id = r.id and t.rev = r.rev;
    get diagnostics affected = row_count;
    if affected <> jsonb_array_length(${path}) then
      raise exception 'a ${table} row was changed by someone else' using errcode = 'UM409';
    end if;`);
}

function puts(table: Table): string {
  const columns = versioned[table].columns;
  const path = putsPath(table);
  const list = columns.join(', ');
  const assignments = columns.filter((column) => column !== 'id').map((column) => `${column} = r.${column}`);
  // A job written by a step is no longer claimed: the step has dealt with it.
  if (table === 'jobs') assignments.push('lock_owner = null', 'lock_expires_at = null');
  return whenAny(path, `
    insert into ${table} (${list})
      select ${list} from jsonb_populate_recordset(null::${table}, ${path}) r where r.rev = 1
      on conflict (id) do nothing;
    get diagnostics affected = row_count;
    update ${table} t set ${assignments.join(', ')}
      from jsonb_populate_recordset(null::${table}, ${path}) r
      where r.rev > 1 and t.id = r.id and t.rev = r.rev - 1;
    get diagnostics updated = row_count;
    if affected + updated <> jsonb_array_length(${path}) then
      raise exception 'a ${table} row was changed by someone else' using errcode = 'UM409';
    end if;`);
}

/**
 * Every statement of the two functions finds a handful of rows by key, but the
 * planner cannot know that: it guesses 100 rows for a JSON recordset, and on
 * a young table (few pages, no statistics yet) it then prefers scanning the
 * whole table and hashing, a plan that plpgsql keeps while the table grows.
 * Index lookups in nested loops are right for these statements at any size.
 */
const byKeyOnly = 'set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off';

/** umlauf_commit as in 002, each part skipped when its list is empty. */
const commitFunction = `
create or replace function umlauf_commit(changes jsonb) returns void language plpgsql ${byKeyOnly} as $$
declare
  affected bigint;
  updated bigint;
begin
  ${puts('instances')}
  ${removals('element_instances')}
  ${puts('element_instances')}
  ${whenAny("changes->'variables'->'removeScopes'", `
    delete from variables where scope_id in (select jsonb_array_elements_text(changes->'variables'->'removeScopes'));`)}
  ${whenAny("changes->'variables'->'put'", `
    insert into variables (scope_id, name, instance_id, value)
      select scope_id, name, instance_id, value
      from jsonb_to_recordset(changes->'variables'->'put') as r(scope_id text, name text, instance_id text, value jsonb)
      on conflict (scope_id, name) do update set value = excluded.value, instance_id = excluded.instance_id;`)}
  ${puts('user_tasks')}
  ${removals('jobs')}
  ${puts('jobs')}
  ${removals('subscriptions')}
  ${puts('subscriptions')}
  ${puts('incidents')}
  ${whenAny("changes->'multiInstanceOutputs'->'removeBodies'", `
    delete from multi_instance_outputs
      where body_id in (select jsonb_array_elements_text(changes->'multiInstanceOutputs'->'removeBodies'));`)}
  ${whenAny("changes->'multiInstanceOutputs'->'put'", `
    insert into multi_instance_outputs (body_id, index, value)
      select body_id, index, value
      from jsonb_to_recordset(changes->'multiInstanceOutputs'->'put') as r(body_id text, index int, value jsonb)
      on conflict (body_id, index) do update set value = excluded.value;`)}
  ${whenAny("changes->'history'", `
    insert into history (instance_id, at, type, element_id, element_type, element_instance_id, details)
      select e.item->>'instance_id', (e.item->>'at')::timestamptz, e.item->>'type', e.item->>'element_id',
        e.item->>'element_type', e.item->>'element_instance_id', e.item->'details'
      from jsonb_array_elements(changes->'history') with ordinality as e(item, position)
      order by e.position;`)}
end
$$;`;

const loadFunction = `
create or replace function umlauf_load(keys jsonb) returns jsonb language plpgsql stable ${byKeyOnly} as $$
declare
  wanted jsonb;
  answer jsonb;
  answers jsonb := '[]';
begin
  for wanted in select value from jsonb_array_elements(keys) loop
    answer := null;
    case wanted->>'kind'
      when 'instance' then
        select to_jsonb(t) into answer from instances t where t.id = wanted->>'id';
      when 'elementInstance' then
        select to_jsonb(t) into answer from element_instances t where t.id = wanted->>'id';
      when 'children' then
        select coalesce(jsonb_agg(to_jsonb(t)), '[]') into answer from element_instances t where t.scope_id = wanted->>'scopeId';
      when 'join' then
        select to_jsonb(t) into answer from element_instances t
          where t.scope_id = wanted->>'scopeId' and t.element_id = wanted->>'elementId' and t.state->'arrivals' is not null limit 1;
      when 'variable' then
        select to_jsonb(t) into answer from variables t where t.scope_id = wanted->>'scopeId' and t.name = wanted->>'name';
      when 'scopeVariables' then
        select coalesce(jsonb_agg(to_jsonb(t)), '[]') into answer from variables t where t.scope_id = wanted->>'scopeId';
      when 'userTask' then
        select to_jsonb(t) into answer from user_tasks t where t.id = wanted->>'id';
      when 'job' then
        select to_jsonb(t) into answer from jobs t where t.id = wanted->>'id';
      when 'subscription' then
        select to_jsonb(t) into answer from subscriptions t where t.id = wanted->>'id';
      when 'incident' then
        select to_jsonb(t) into answer from incidents t where t.id = wanted->>'id';
      when 'multiInstanceOutputs' then
        select coalesce(jsonb_agg(to_jsonb(t) order by t.index), '[]') into answer from multi_instance_outputs t
          where t.body_id = wanted->>'bodyId';
      when 'scopeChain' then
        with recursive chain as (
          select t.*, 0 as depth from element_instances t where t.id = wanted->>'id'
          union all
          select p.*, chain.depth + 1 from element_instances p join chain on p.id = chain.scope_id
        ), measured as (
          select v.scope_id, v.name, v.instance_id, v.value, c.depth,
            case when v.value is null then 0 when pg_column_size(v.value) <= 2048 then octet_length(v.value::text) end as length
          from variables v join chain c on v.scope_id = c.id
          where coalesce((wanted->>'variables')::boolean, false)
        ), sized as (
          select m.scope_id, m.name, m.instance_id, m.value,
            coalesce(m.length <= 2048 and sum(m.length) over (order by m.depth, m.name) <= 16384, false) as small
          from measured m
        )
        select jsonb_build_object(
          'elementInstances', (select coalesce(jsonb_agg(to_jsonb(c) - 'depth' order by c.depth), '[]') from chain c),
          'instance', (select to_jsonb(i) from instances i where i.id = (select min(c.instance_id) from chain c)),
          'variables', case when coalesce((wanted->>'variables')::boolean, false) then jsonb_build_object(
            'small', (select coalesce(jsonb_agg(to_jsonb(s) - 'small'), '[]') from sized s where s.small),
            'large', (select coalesce(jsonb_agg(jsonb_build_object('scope_id', s.scope_id, 'name', s.name)), '[]')
              from sized s where not s.small)) end)
        into answer;
      else
        raise exception 'unknown load key kind %', wanted->>'kind';
    end case;
    answers := answers || jsonb_build_array(answer);
  end loop;
  return answers;
end
$$;`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(commitFunction);
  await knex.raw(loadFunction);
}

/** Back to the functions of 002. */
export async function down(knex: Knex): Promise<void> {
  await stepFunctions.up(knex);
}
