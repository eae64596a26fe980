/**
 * The latest version of a process, confirmed when the step that starts it
 * commits, as migrations/007 confirms the step counters: a server on
 * PostgreSQL keeps the latest version of each process it started in memory,
 * and a change set names the versions its step took as the latest
 * (`expectedLatestVersions`, process id to version). umlauf_commit_confirmed
 * refuses it, like a lost race (UM410), when a newer version of one of them
 * was deployed meanwhile, by this server or another; the server forgets what
 * it kept, and the step runs again on the newer version.
 *
 * Measured with 8 clients on PostgreSQL, asking for the latest version
 * before every start took a fifth of the CPU time per instance, node's and
 * the database's alike: a round trip of its own for every start.
 */
import type { Knex } from 'knex';

/** Plans by key only, like the step functions (see byKeyOnly in 004). */
const byKeyOnly = 'set enable_seqscan = off set enable_hashjoin = off set enable_mergejoin = off';

const commitConfirmedFunction = `
create or replace function umlauf_commit_confirmed(changes jsonb) returns jsonb language plpgsql ${byKeyOnly} as $$
begin
  if changes->'expectedLatestVersions' is not null and exists (
    select 1 from jsonb_each_text(changes->'expectedLatestVersions') expected
      join definitions d on d.process_id = expected.key and d.version > expected.value::int) then
    raise exception 'a newer version of a process the step started was deployed meanwhile' using errcode = 'UM410';
  end if;
  return umlauf_commit_counted(changes);
end
$$;`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(commitConfirmedFunction);
}

/** Servers of this migration's code must be stopped first: they call the function. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists umlauf_commit_confirmed(jsonb)');
}
