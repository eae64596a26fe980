/**
 * Prometheus metrics, on a registry of the app's own (several apps in one
 * test process must not share counters). Open user tasks and incidents are
 * counted in the database when scraped, so every server reports the truth,
 * not what it alone has seen.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Knex } from 'knex';
import { sameHash, secretHash } from '../identity/secrets.js';
import type { BatchTotals } from '../store/Batcher.js';

export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** The job poller's running totals (absent when this process runs no poller). */
export type PollerTotals = () => { jobsRun: number; failedPolls: number };

/** The store's batched commits so far (absent with a store that does not batch). */
export type CommitTotals = () => BatchTotals;

export function createMetrics(knex: Knex, pollerTotals?: PollerTotals, commitTotals?: CommitTotals): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'umlauf_' });
  const httpDuration = new Histogram({
    name: 'umlauf_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  totalFrom(registry, 'umlauf_jobs_run_total', 'Timers fired and service jobs run by this server', () => pollerTotals?.().jobsRun ?? 0);
  totalFrom(registry, 'umlauf_job_poll_failures_total', 'Job polls that failed (e.g. the database was away)', () => pollerTotals?.().failedPolls ?? 0);
  if (commitTotals) {
    totalFrom(registry, 'umlauf_commit_calls_total', 'Batched commit calls this server sent to the database, each carrying the steps that arrived together (a change set of over 500 rows commits alone, uncounted)', () => commitTotals().calls);
    totalFrom(registry, 'umlauf_committed_steps_total', 'Engine steps those commit calls carried', () => commitTotals().requests);
    // On PostgreSQL the calls take turns on one connection: a rate near 1 means it bounds this server's steps, and another server adds more.
    totalFrom(registry, 'umlauf_commit_busy_seconds_total', 'Seconds during which one of these commit calls was in flight', () => commitTotals().busyMilliseconds / 1000);
  }
  countInDatabase(registry, 'umlauf_user_tasks_open', 'Open user tasks', () => knex('user_tasks').where({ state: 'open' }).count({ count: '*' }));
  countInDatabase(registry, 'umlauf_incidents_open', 'Open incidents', () => knex('incidents').where({ state: 'open' }).count({ count: '*' }));
  return { registry, httpDuration };
}

function countInDatabase(registry: Registry, name: string, help: string, query: () => Promise<{ count: string | number }[]>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      // While the database is away the gauge keeps its last value; /readyz reports the outage.
      try {
        const [row] = await query();
        this.set(Number(row?.count ?? 0));
      } catch {
        /* keep the previous value */
      }
    },
  });
}

/** The poller and the store keep their own monotonic totals; the counter takes them over at each scrape. */
function totalFrom(registry: Registry, name: string, help: string, total: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(total());
    },
  });
}

/**
 * Who may scrape: anyone when no token is configured (Prometheus inside the
 * city's network, the usual set-up), otherwise only a request that sends the
 * token as `Authorization: Bearer …`. The figures are counts, not folder
 * contents, but they tell an outsider how busy which route is.
 */
export function mayScrape(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const sent = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  return sent !== undefined && sameHash(secretHash(sent), secretHash(token));
}
