/**
 * The step counters of migrations/005 and 006, confirmed when a step commits
 * instead of before it runs (see KnexStore.load): a change set may name the
 * counters of the instances its step read from the server's memory
 * (`expectedStepSeqs`, instance id to counter). umlauf_commit_counted refuses
 * it, like a lost race, when one of those instances is at another counter: a
 * step of another server wrote it meanwhile, and the step runs again on what
 * it loads. An instance the step read but does not write has its row locked
 * (its counter rewritten unchanged) until the commit ends, so it cannot move
 * under the step either. All instances are locked first, in the order of
 * their ids, as in 005.
 *
 * Measured with 8 clients on PostgreSQL, asking for the counters before every
 * cached step took a quarter of the CPU time per instance, and its round
 * trip sat in every step's path.
 *
 * umlauf_step_seqs, still asked for a step that ends without a commit, is
 * now PL/pgSQL: PostgreSQL plans a SQL function that it cannot inline on
 * every call, and a function with SET options is never inlined.
 */
import type { Knex } from 'knex';
import * as cheaperStepCounters from './006_cheaper_step_counters.js';

/** Plans by key only, like the step functions (see byKeyOnly in 004). */
const byKeyOnly = 'set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off';

const stepSeqsFunction = `
create or replace function umlauf_step_seqs(ids text[]) returns table (id text, step_seq bigint) language plpgsql stable ${byKeyOnly} as $$
begin
  return query select t.id, t.step_seq from instances t where t.id = any(ids);
end
$$;`;

/** As in 006, and refused when an instance in `expectedStepSeqs` is not at the counter given there. */
const commitCountedFunction = `
create or replace function umlauf_commit_counted(changes jsonb) returns jsonb language plpgsql ${byKeyOnly} as $$
declare
  look_up jsonb := coalesce(changes->'removalsToLookUp', jsonb_build_object(
    'elementInstances', changes->'elementInstances'->'remove',
    'jobs', changes->'jobs'->'remove',
    'subscriptions', changes->'subscriptions'->'remove'));
  expected jsonb := coalesce(changes->'expectedStepSeqs', '{}');
  removed text[] := '{}';
  counters jsonb;
  moved bigint;
begin
  if jsonb_array_length(coalesce(look_up->'elementInstances', '[]')) + jsonb_array_length(coalesce(look_up->'jobs', '[]'))
      + jsonb_array_length(coalesce(look_up->'subscriptions', '[]')) > 0 then
    select coalesce(array_agg(found.instance_id), '{}') into removed from (
      select t.instance_id from element_instances t
        where t.id in (select r->>'id' from jsonb_array_elements(look_up->'elementInstances') r)
      union all
      select t.instance_id from jobs t
        where t.id in (select r->>'id' from jsonb_array_elements(look_up->'jobs') r)
      union all
      select t.instance_id from subscriptions t
        where t.id in (select r->>'id' from jsonb_array_elements(look_up->'subscriptions') r)
    ) found where found.instance_id is not null;
  end if;
  with touched as (
    select id, bool_or(counts) as counts from (
      select s.id, true as counts from jsonb_array_elements_text(changes->'steps') as s(id)
      union all
      select unnest(removed), true
      union all
      select e.id, false from jsonb_object_keys(expected) as e(id)
    ) named group by id
    order by id
  ), counted as (
    update instances t set step_seq = t.step_seq + case when touched.counts then 1 else 0 end
      from touched where t.id = touched.id
      returning t.id, t.step_seq, touched.counts
  )
  select coalesce(jsonb_object_agg(c.id, c.step_seq) filter (where c.counts), '{}'),
    (select count(*) from jsonb_each_text(expected) e where not exists (
      select 1 from counted k where k.id = e.key and k.step_seq - case when k.counts then 1 else 0 end = e.value::bigint))
    into counters, moved
    from counted c;
  if moved > 0 then
    raise exception 'an instance the step read was changed by another server meanwhile' using errcode = 'UM409';
  end if;
  perform umlauf_commit(changes);
  return counters;
end
$$;`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(stepSeqsFunction);
  await knex.raw(commitCountedFunction);
}

/**
 * Back to 006's functions. A change set with `expectedStepSeqs` then lands
 * unconfirmed, so servers of this migration's code must be stopped first.
 */
export async function down(knex: Knex): Promise<void> {
  await cheaperStepCounters.up(knex);
}
