/**
 * The reference figure, measured on this machine: how many
 * transactions per second PostgreSQL alone sustains of a step equivalent to
 * one of the engine's (update a task, insert a history row, insert the next
 * task), from 8 connections, one round trip per transaction. The engine's
 * figure means little without it: the same 2 cores give PostgreSQL very
 * different rates on different disks (the WAL flush of each commit).
 *
 * The client is node, as the engine's is, so its CPU time counts against
 * PostgreSQL's on the same cores. The same step is then run by pgbench, when
 * it is installed: a C client with prepared statements, as the issue's
 * reference figure was most likely measured, so a machine can be placed
 * against that reference (on one machine, in one run: 9,959 tx/s where
 * node's client gave 6,493).
 */
import pg from 'pg';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

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

/** The step's transaction for the task `id` (a number, or pgbench's variable). */
function equivalentStep(id: string): string {
  return `begin;
update reference_tasks set state = 'completed' where id = ${id};
insert into reference_history (instance_id, element_id, type, details) values (${id}, 'first', 'completed', '{"approved": true}');
insert into reference_tasks (instance_id, element_id, assignee, state) values (${id}, 'next', 'user-1', 'open');
commit;
`;
}

/** The same step as a pgbench script: a random task; pgbench prepares each statement (--protocol prepared). */
const pgbenchScript = `\\set id random(1, ${TASKS})\n${equivalentStep(':id')}`;

export interface PostgresAlone {
  transactionsPerSecond: number;
  connections: number;
  /** The same step run by pgbench on as many connections; why not, when it could not run. */
  pgbench: { transactionsPerSecond: number } | { skipped: string };
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
    const transactionsPerSecond = counts.reduce((sum, count) => sum + count, 0) / elapsed;
    return { transactionsPerSecond, connections, pgbench: await measureWithPgbench(url, connections, seconds) };
  } finally {
    await clients[0]!.query('drop table if exists reference_tasks, reference_history').catch(() => undefined);
    await Promise.all(clients.map((client) => client.end()));
  }
}

async function stepUntil(client: pg.Client, until: number): Promise<number> {
  let count = 0;
  while (performance.now() < until) {
    // One round trip: the simple query protocol takes several statements.
    await client.query(equivalentStep(String(1 + Math.floor(Math.random() * TASKS))));
    count += 1;
  }
  return count;
}

/** Runs the step with pgbench (from PostgreSQL's client package) for `seconds` after a second's warm-up, when it is on the PATH. */
async function measureWithPgbench(url: string, connections: number, seconds: number): Promise<PostgresAlone['pgbench']> {
  const directory = mkdtempSync(join(tmpdir(), 'umlauf-pgbench-'));
  const script = join(directory, 'step.sql');
  writeFileSync(script, pgbenchScript);
  // A thread per core at most: more would only take turns on the cores.
  const threads = String(Math.min(connections, availableParallelism()));
  const run = (duration: number) => promisify(execFile)('pgbench',
    ['--no-vacuum', '--client', String(connections), '--jobs', threads, '--time', String(duration), '--protocol', 'prepared', '--file', script, url],
    { timeout: (duration + 30) * 1_000 });
  try {
    await run(1);
    const { stdout } = await run(seconds);
    const tps = /tps = ([\d.]+)/.exec(stdout);
    return tps ? { transactionsPerSecond: Number(tps[1]) } : { skipped: `pgbench printed no tps: ${stdout.trim().split('\n').pop() ?? ''}` };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    return { skipped: failure.code === 'ENOENT' ? 'pgbench is not installed' : `pgbench failed: ${(failure.stderr ?? failure.message).trim().split('\n')[0]}` };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
