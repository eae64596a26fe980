/**
 * The step counters of migrations/005, cheaper on every step (measured on the
 * store benchmark with 8 clients on PostgreSQL):
 *
 * - umlauf_step_seqs answers the counters of a few instances by key. Asked as
 *   a plain prepared statement, `where id = any($1)`, PostgreSQL kept a
 *   generic plan made while `instances` was small, a scan of the whole
 *   table, as the table grew: about 1,600 rows read per instance run.
 * - umlauf_commit_counted looks up the instance of a removed row only when
 *   the change set asks it to (`removalsToLookUp`): node names the instances
 *   of the removals it knows, which is most of them. The lookup took about a
 *   quarter of the function's time. A change set without the list (from a
 *   server not yet updated) has all its removals looked up, as in 005.
 */
import type { Knex } from 'knex';

/** Plans by key only, like the step functions (see byKeyOnly in 004). */
const byKeyOnly = 'set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off';

const stepSeqsFunction = `
create or replace function umlauf_step_seqs(ids text[]) returns table (id text, step_seq bigint) language sql stable ${byKeyOnly} as $$
  select t.id, t.step_seq from instances t where t.id = any(ids)
$$;`;

/** As in 005, but the removed rows whose instances are read are those in `removalsToLookUp`, when it is there. */
const commitCountedFunction = `
create or replace function umlauf_commit_counted(changes jsonb) returns jsonb language plpgsql ${byKeyOnly} as $$
declare
  look_up jsonb := coalesce(changes->'removalsToLookUp', jsonb_build_object(
    'elementInstances', changes->'elementInstances'->'remove',
    'jobs', changes->'jobs'->'remove',
    'subscriptions', changes->'subscriptions'->'remove'));
  removed text[] := '{}';
  counters jsonb;
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
    select id from jsonb_array_elements_text(changes->'steps') as s(id)
    union
    select unnest(removed)
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
  await knex.raw(stepSeqsFunction);
  await knex.raw(commitCountedFunction);
}

/**
 * Drops umlauf_step_seqs. umlauf_commit_counted stays: given a change set
 * without `removalsToLookUp`, as the code of 005 sends it, it does what 005's did.
 */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists umlauf_step_seqs(text[])');
}
