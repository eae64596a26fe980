/**
 * Autovacuum for embedded PGlite. PGlite runs PostgreSQL as one process in
 * WebAssembly, without the background workers that vacuum and analyze a
 * PostgreSQL server's tables: there, pg_stat_user_tables.last_autovacuum
 * stays empty for ever (checked on PGlite 0.5). Every step deletes the
 * element instance it ends and rewrites a user task, so without this the
 * tables and their indexes grow with dead rows for as long as the server
 * runs, and the planner never gets statistics for the inbox queries.
 *
 * So the server does what autovacuum would: it looks at the tables' counters
 * now and then and vacuums or analyzes those past PostgreSQL's own default
 * thresholds, one table at a time. PGlite has a single connection, so steps
 * wait while a table is vacuumed; that takes milliseconds for tables kept
 * clean this way. On PostgreSQL the server's autovacuum does this work and
 * none of this runs.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';

/** What to do with one table now. */
export interface TableUpkeep {
  table: string;
  vacuum: boolean;
  analyze: boolean;
}

/** A table's counters as pg_stat_user_tables keeps them. */
export interface TableCounters {
  table: string;
  live: number;
  dead: number;
  insertedSinceVacuum: number;
  modifiedSinceAnalyze: number;
}

/**
 * PostgreSQL's autovacuum defaults: a table is vacuumed once its dead rows
 * pass 50 + 20% of its rows (autovacuum_vacuum_threshold, _scale_factor), or
 * its inserts since the last vacuum pass 1,000 + 20% (the _insert_ pair:
 * that keeps append-only tables such as history all-visible), and analyzed
 * once its changes since the last analyze pass 50 + 10%.
 */
export function upkeepDue(counters: TableCounters): TableUpkeep {
  const rows = Math.max(0, counters.live);
  return {
    table: counters.table,
    vacuum: counters.dead > 50 + 0.2 * rows || counters.insertedSinceVacuum > 1_000 + 0.2 * rows,
    analyze: counters.modifiedSinceAnalyze > 50 + 0.1 * rows,
  };
}

export class EmbeddedVacuum {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<TableUpkeep[]> | undefined;
  private stopped = true;
  /** Set by stop(): the round in flight vacuums no further table. */
  private stopping = false;

  /** `intervalMilliseconds`: how often to look at the tables. */
  constructor(
    private readonly knex: Knex,
    private readonly intervalMilliseconds: number,
    private readonly log?: Pick<Logger, 'warn' | 'debug'>,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    this.schedule();
  }

  /** Stops looking and waits for a table being vacuumed to be done, so the database can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.inFlight?.catch(() => {});
  }

  /** Vacuums and analyzes the tables that are due, now; resolves with what it did. */
  runOnce(): Promise<TableUpkeep[]> {
    this.inFlight ??= this.upkeep().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce().catch((error: unknown) => {
        // The next round tries again; a database closing under a stopping server ends up here too.
        this.log?.warn({ err: error }, 'vacuuming the embedded database failed');
      }).finally(() => this.schedule());
    }, this.intervalMilliseconds);
    // A pending vacuum is no reason to keep the process alive.
    this.timer.unref();
  }

  private async upkeep(): Promise<TableUpkeep[]> {
    const due = (await this.counters()).map(upkeepDue).filter((upkeep) => upkeep.vacuum || upkeep.analyze);
    for (const upkeep of due) {
      if (this.stopping) break;
      const started = Date.now();
      // VACUUM (ANALYZE) does both in one pass over the table.
      await this.knex.raw(upkeep.vacuum ? `vacuum${upkeep.analyze ? ' (analyze)' : ''} ??` : 'analyze ??', [upkeep.table]);
      this.log?.debug({ ...upkeep, milliseconds: Date.now() - started }, 'embedded database table vacuumed');
    }
    return due;
  }

  private async counters(): Promise<TableCounters[]> {
    // The counters reach the statistics views at most once a second; this asks for the steps' counts so far to be sent now.
    await this.knex.raw('select pg_stat_force_next_flush()');
    const result = await this.knex.raw(`
      select relname as table, n_live_tup as live, n_dead_tup as dead,
        n_ins_since_vacuum as inserted_since_vacuum, n_mod_since_analyze as modified_since_analyze
      from pg_stat_user_tables where schemaname = current_schema()
      order by relname`) as { rows: Record<string, string | number>[] };
    return result.rows.map((row) => ({
      table: String(row['table']),
      live: Number(row['live']),
      dead: Number(row['dead']),
      insertedSinceVacuum: Number(row['inserted_since_vacuum']),
      modifiedSinceAnalyze: Number(row['modified_since_analyze']),
    }));
  }
}
