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
 * instances are read before they go. The counters are raised last, in the
 * order of the ids: a row lock on an instance is then held only until the
 * commit, and two servers' calls lock shared instances in the same order.
 */
const commitCountedFunction = `
create or replace function umlauf_commit_counted(changes jsonb) returns jsonb language plpgsql
  set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off as $$
declare
  touched text[];
  counters jsonb;
begin
  select coalesce(array_agg(instance_id), '{}') into touched from (
    select t.instance_id from element_instances t
      where t.id in (select r->>'id' from jsonb_array_elements(coalesce(changes->'elementInstances'->'remove', '[]')) r)
    union all
    select t.instance_id from jobs t
      where t.id in (select r->>'id' from jsonb_array_elements(coalesce(changes->'jobs'->'remove', '[]')) r)
    union all
    select t.instance_id from subscriptions t
      where t.id in (select r->>'id' from jsonb_array_elements(coalesce(changes->'subscriptions'->'remove', '[]')) r)
  ) removed where instance_id is not null;
  perform umlauf_commit(changes);
  with counted as (
    update instances t set step_seq = t.step_seq + 1
      from (select distinct id from unnest(touched || array(select jsonb_array_elements_text(coalesce(changes->'steps', '[]')))) as u(id)
            order by id) r
      where t.id = r.id
      returning t.id, t.step_seq)
  select coalesce(jsonb_object_agg(id, step_seq), '{}') into counters from counted;
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
