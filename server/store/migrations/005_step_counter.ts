/**
 * A step counter per instance, so that a server on PostgreSQL can keep the
 * state of the instances it works on between steps and still see what other
 * servers did (see StepCache). Every change set committed through
 * umlauf_commit_counted raises `instances.step_seq` of each instance it
 * touches, and answers the counters it left. A server that knows an
 * instance as of counter n asks for the counter before it answers a step from
 * what it knows: still n, and nothing of that instance has changed since.
 *
 * umlauf_commit stays as it was: embedded PGlite has one writer and keeps no
 * counters.
 */
import type { Knex } from 'knex';

/**
 * The change set names its instances in `steps` (node finds them in the
 * records it writes); rows it removes are named by id alone, so their
 * instances are read from the rows. The counters are raised first, in the
 * order of the instance ids, then umlauf_commit applies the change set: every
 * commit takes the locks of its instances before any other row's, all in one
 * order, so two commits that share an instance queue up instead of locking
 * each other's rows in turn. An instance the change set creates is not there
 * yet to be counted: it starts at 0.
 */
const commitCountedFunction = `
create or replace function umlauf_commit_counted(changes jsonb) returns jsonb language plpgsql
  set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off as $$
declare
  counters jsonb;
begin
  with removed as (
    select t.instance_id from element_instances t
      where t.id in (select r->>'id' from jsonb_array_elements(changes->'elementInstances'->'remove') r)
    union all
    select t.instance_id from jobs t
      where t.id in (select r->>'id' from jsonb_array_elements(changes->'jobs'->'remove') r)
    union all
    select t.instance_id from subscriptions t
      where t.id in (select r->>'id' from jsonb_array_elements(changes->'subscriptions'->'remove') r)
  ), touched as (
    select id from jsonb_array_elements_text(changes->'steps') as s(id)
    union
    select instance_id from removed where instance_id is not null
    order by id
  ), counted as (
    update instances t set step_seq = t.step_seq + 1 from touched where t.id = touched.id
      returning t.id, t.step_seq
  )
  select coalesce(jsonb_object_agg(id, step_seq), '{}') into counters from counted;
  perform umlauf_commit(changes);
  return counters;
end
$$;`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table instances add column step_seq bigint not null default 0');
  await knex.raw(commitCountedFunction);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists umlauf_commit_counted(jsonb)');
  await knex.raw('alter table instances drop column step_seq');
}
