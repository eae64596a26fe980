/**
 * The reference figure, measured on this machine: how many
 * transactions per second PostgreSQL alone sustains of a step equivalent to
 * one of the engine's (update a task, insert a history row, insert the next
 * task), from 8 connections, one round trip per transaction. The engine's
 * figure means little without it: the same 2 cores give PostgreSQL very
 * different rates on different disks (the WAL flush of each commit).
 *
 * The client is node, as the engine's is, so its CPU time counts against
 * PostgreSQL's on the same cores; pgbench, a C client, measures somewhat more.
 */
import pg from 'pg';
import { performance } from 'node:perf_hooks';

const TASKS = 10_000;

const schema = `
drop table if exists reference_tasks, reference_history;
create table reference_tasks (id bigserial primary key, instance_id bigint not null, element_id text not null,
  assignee text, state text not null, due_at timestamptz, created_at timestamptz not null default now());
create index on reference_tasks (assignee, state);
create index on reference_tasks (state, due_at);
create index on reference_tasks (instance_id);
create table reference_history (id bigserial primary key, instance_id bigint not null, element_id text not null,
  type text not null, at timestamptz not null default now(), details jsonb);
create index on reference_history (instance_id);
insert into reference_tasks (instance_id, element_id, assignee, state)
  select g, 'first', 'user-' || (g % 100), 'open' from generate_series(1, ${TASKS}) g;
analyze reference_tasks;`;

/** One transaction in one round trip (the simple query protocol takes several statements). */
function equivalentStep(id: number): string {
  return `begin;
update reference_tasks set state = 'completed' where id = ${id};
insert into reference_history (instance_id, element_id, type, details) values (${id}, 'first', 'completed', '{"approved": true}');
insert into reference_tasks (instance_id, element_id, assignee, state) values (${id}, 'next', 'user-1', 'open');
commit;`;
}

export interface PostgresAlone {
  transactionsPerSecond: number;
  connections: number;
}

/** Runs the equivalent step on `connections` connections for `seconds`, in the database at `url` (in two tables of its own, dropped at the end). */
export async function measurePostgresAlone(url: string, connections = 8, seconds = 5): Promise<PostgresAlone> {
  const clients = Array.from({ length: connections }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((client) => client.connect()));
  try {
    await clients[0]!.query(schema);
    const warmUntil = performance.now() + 1_000;
    await Promise.all(clients.map((client) => stepUntil(client, warmUntil)));
    const started = performance.now();
    const counts = await Promise.all(clients.map((client) => stepUntil(client, started + seconds * 1_000)));
    const elapsed = (performance.now() - started) / 1_000;
    return { transactionsPerSecond: counts.reduce((sum, count) => sum + count, 0) / elapsed, connections };
  } finally {
    await clients[0]!.query('drop table if exists reference_tasks, reference_history').catch(() => undefined);
    await Promise.all(clients.map((client) => client.end()));
  }
}

async function stepUntil(client: pg.Client, until: number): Promise<number> {
  let count = 0;
  while (performance.now() < until) {
    await client.query(equivalentStep(1 + Math.floor(Math.random() * TASKS)));
    count += 1;
  }
  return count;
}
