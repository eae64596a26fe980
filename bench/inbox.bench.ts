/**
 * Inbox benchmark (a script, not a test): does an inbox stay fast as completed
 * user tasks pile up over the years (docs/domain.md: "millions of completed
 * tasks must not slow down an inbox")?
 *   npm run bench:inbox
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a fresh database
 * umlauf_bench_inbox_<pid> is made there and dropped at the end), BENCH_OPEN (open user tasks,
 * default 100,000), BENCH_COMPLETED (completed user tasks added per round, default 1,000,000),
 * BENCH_ROUNDS (default 2), BENCH_PGLITE (0 skips PGlite).
 *
 * For PostgreSQL and for PGlite (in a fresh data directory on disk, as `npm start` runs it):
 * BENCH_OPEN open user tasks of 9,000 employees in 50 units (most assigned to one person, one
 * in twenty offered to a unit, as a group inbox task), then rounds that each add BENCH_COMPLETED
 * completed ones to the same people and units. After each round (and before the first), the
 * first page (50) of 200 employees' inboxes, with their unit and one absent colleague they stand
 * in for, through the server's own inbox query (server/queries/inbox.ts), in each sort order;
 * p50 and p95 per page. Flat across rounds is the target.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import knex, { type Knex } from 'knex';
import { migrateToLatest, openDatabase, type Database } from '../server/store/database.js';
import { inboxPage, type InboxSort } from '../server/queries/inbox.js';
import type { Principal } from '../server/http/access.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OPEN = Number(process.env.BENCH_OPEN ?? 100_000);
const COMPLETED = Number(process.env.BENCH_COMPLETED ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const EMPLOYEES = 9_000;
const UNITS = 50;
const SAMPLES = 200;
const PAGE = 50;
const sorts: InboxSort[] = ['due', 'priority', 'created'];

/** Rows `from`…`to` of a kind, written by the database itself (a round trip per row would time the loading, not the inbox). */
async function addUserTasks(db: Knex, state: 'open' | 'completed', from: number, to: number): Promise<void> {
  // Every twentieth task is offered to a unit and not yet claimed; the others are someone's own.
  // Due dates on a third, spread over the weeks around now; priorities 0–100.
  await db.raw(`
    insert into user_tasks (id, element_instance_id, instance_id, process_id, element_id, name, assignee, candidate_users,
      candidate_groups, due_date, priority, state, created_at, completed_at, rev)
    select '${state}-' || g, '${state}-' || g, 'instance-' || (g / 10), 'acknowledgment', 'acknowledge', 'Kenntnisnahme',
      case when g % 20 = 0 then null else 'employee-' || (g % ${EMPLOYEES}) end, '{}',
      case when g % 20 = 0 then array['unit-' || (g % ${UNITS})] else '{}'::text[] end,
      case when g % 3 = 0 then now() + ((g % 5000) - 2500) * interval '10 minutes' end, g % 101, '${state}',
      now() - (g % 100000) * interval '1 minute', ${state === 'completed' ? 'now()' : 'null'}, ${state === 'completed' ? 2 : 1}
    from generate_series(${from}, ${to}) g`);
  await db.raw('analyze user_tasks');
}

function employee(index: number): Principal {
  const id = (index * 7919) % EMPLOYEES;
  const unit = `unit-${id % UNITS}`;
  return {
    userId: `employee-${id}`, displayName: `employee-${id}`, roles: ['employee'], via: 'session',
    groups: [unit], directGroups: [unit], deputyFor: [`employee-${(id + 1) % EMPLOYEES}`],
  };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;

async function measure(db: Knex): Promise<Record<InboxSort, { p50: number; p95: number; rows: number }>> {
  const result = {} as Record<InboxSort, { p50: number; p95: number; rows: number }>;
  for (const sort of sorts) {
    const durations: number[] = [];
    let rows = 0;
    // Once unmeasured, for the plan cache and the pages in memory, as a running server has them.
    for (const pass of ['warm', 'measured']) {
      for (let index = 0; index < SAMPLES; index++) {
        const started = performance.now();
        const page = await inboxPage(db, employee(index), { state: 'open', sort, order: 'asc', limit: PAGE }, new Date());
        if (pass === 'measured') {
          durations.push(performance.now() - started);
          rows += page.length;
        }
      }
    }
    durations.sort((a, b) => a - b);
    result[sort] = { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95), rows: rows / SAMPLES };
  }
  return result;
}

interface Round {
  completed: number;
  pages: Record<InboxSort, { p50: number; p95: number; rows: number }>;
}

async function run(database: Database): Promise<Round[]> {
  const db = database.knex;
  await migrateToLatest(database);
  await addUserTasks(db, 'open', 1, OPEN);
  const rounds: Round[] = [{ completed: 0, pages: await measure(db) }];
  for (let round = 1; round <= ROUNDS; round++) {
    const started = performance.now();
    await addUserTasks(db, 'completed', (round - 1) * COMPLETED + 1, round * COMPLETED);
    console.log(`  ${round * COMPLETED} completed user tasks written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    rounds.push({ completed: round * COMPLETED, pages: await measure(db) });
  }
  return rounds;
}

async function onPostgres(): Promise<Round[] | string> {
  const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  const name = `umlauf_bench_inbox_${process.pid}`;
  try {
    await admin.raw('create database ??', [name]);
  } catch (error) {
    await admin.destroy();
    return `unreachable: ${(error as Error).message}`;
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ url: url.toString(), poolSize: 2 });
  try {
    return await run(database);
  } finally {
    await database.close();
    await admin.raw('drop database if exists ?? with (force)', [name]);
    await admin.destroy();
  }
}

async function onPGlite(): Promise<Round[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'umlauf-bench-inbox-'));
  const database = openDatabase({ dataDir });
  try {
    return await run(database);
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : 1, minimumFractionDigits: value < 10 ? 2 : 1 });

function report(title: string, rounds: Round[] | string): void {
  console.log(`\n${title}`);
  if (typeof rounds === 'string') {
    console.log(`  skipped: ${rounds}`);
    return;
  }
  console.log(`  completed user tasks | ${sorts.map((sort) => `by ${sort}: p50 / p95 ms (rows)`).join(' | ')}`);
  for (const round of rounds) {
    const cells = sorts.map((sort) => {
      const page = round.pages[sort];
      return `${fmt(page.p50)} / ${fmt(page.p95)} (${page.rows.toFixed(0)})`;
    });
    console.log(`  ${round.completed.toLocaleString('en-US').padStart(20)} | ${cells.join(' | ')}`);
  }
  const first = rounds[0]!;
  const last = rounds[rounds.length - 1]!;
  const ratios = sorts.map((sort) => last.pages[sort].p50 / first.pages[sort].p50);
  console.log(`  p50 with ${last.completed.toLocaleString('en-US')} completed / with none: ${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')} (flat is the target)`);
}

console.log(`Umlauf inbox benchmark — ${OPEN.toLocaleString('en-US')} open user tasks of ${EMPLOYEES.toLocaleString('en-US')} employees in ${UNITS} units; `
  + `${ROUNDS} round(s) adding ${COMPLETED.toLocaleString('en-US')} completed; first page of ${PAGE} of ${SAMPLES} employees' inboxes per sort order`);
console.log('PostgreSQL:');
report('PostgreSQL', await onPostgres());
if (process.env.BENCH_PGLITE !== '0') {
  console.log('PGlite:');
  report('PGlite (on disk)', await onPGlite());
}
