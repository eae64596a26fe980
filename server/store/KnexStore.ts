/**
 * The durable Store, on PostgreSQL or embedded PGlite through knex. A step
 * costs two round trips: umlauf_load answers all its load keys (a scope chain
 * with its variables, see migrations/004), umlauf_commit applies its change
 * set in one statement (see migrations/002 and 004). Most steps skip the
 * load: a StepCache answers it from what earlier steps wrote. On PGlite, the
 * one writer of its database, that is the stored state; on PostgreSQL the
 * step's commit names the instances' step counters the answers were as of
 * (migrations/005 to 007) and is refused when one moved on, and the step runs
 * again on what it loads. A start takes the latest version of its process
 * from memory too (LatestVersions; on PostgreSQL its commit confirms it).
 * Queries for inboxes and operators use ordinary indexed SQL with bindings;
 * the step functions and the questions every step or start may ask run
 * prepared (prepared()), and a user's tasks are planned with the values
 * asked for (see userTaskStatement).
 */
import type { Knex } from 'knex';
import {
  ConflictError, definitionRecord,
  type ChangeSet, type JobClaim, type Loaded, type LoadKey, type NewDefinition, type StepRun, type Store,
} from '../../engine/index.js';
import type {
  DefinitionRecord, DeploymentRecord, ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord, JobRecord,
  SubscriptionRecord, UserTaskFilter, UserTaskRecord, VariableRecord,
} from '../../engine/index.js';
import { Batcher, type BatchTotals, type Outcome } from './Batcher.js';
import { PipelinedConnection, type ConnectionPool } from './pipelinedConnection.js';
import { onPostgres, sharedStateOf, type SharedStoreState } from './sharedState.js';
import type { StepSeqs } from './StepCache.js';
import { commitArguments, commitStatement, recordsOf, stepSeqsOf } from './stepRows.js';
import { LatestVersions, type TakenVersions } from './latestVersions.js';
import { userTaskStatement } from './userTaskStatement.js';
import { disjoint, footprint, mergeChangeSets, rowCount } from './changeSetBatch.js';
import { answeredByDatabase } from './databaseErrors.js';
import { runNamed, type NamedStatementConnection } from './namedStatements.js';
import {
  definitionRows, deploymentRows, elementInstanceRows, historyRows, incidentRows, instanceRows, jobRows,
  subscriptionRows, userTaskRows, variableRows, type RowMapping,
} from './rows.js';

type Row = Record<string, unknown>;

/** The parts of knex's client that onConnection() uses: its pool of `pg` connections, or PGlite's one. */
interface PooledClient {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: unknown): Promise<void>;
}

/** A `pg` connection, or the PGlite instance. */
type Connection = NamedStatementConnection & {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Row[] }>;
  query(text: string, values: unknown[]): Promise<{ rows: Row[] }>;
};

/** SQLSTATEs that mean "someone else changed it first": run the step again on fresh data. */
const conflictCodes = new Set([
  'UM409', // umlauf_commit: a versioned row was not at the expected rev
  'UM410', // umlauf_commit_confirmed: a newer version of a process the step started was deployed
  '23505', // unique_violation: two steps inserted the same row
  '40001', // serialization_failure
  '40P01', // deadlock_detected: two steps locked rows in opposite order
]);

export interface KnexStoreOptions {
  /**
   * Answer a step's load from what this server's steps wrote (StepCache; on
   * PostgreSQL once the instances' step counters show nobody else wrote).
   * Default true; false sends every load to the database. The cache is kept
   * current either way.
   */
  stepCache?: boolean;
}

/** How steps that arrive together share database calls (see Batcher). */
export interface BatchSettings {
  /** Load and commit calls running at once, each; further steps wait and go together. */
  maxInFlight: number;
  /** Steps in one call at most. */
  maxBatch: number;
  /**
   * On PostgreSQL: commit calls in flight at once, sent one behind the other
   * on one connection (see PipelinedConnection) instead of maxInFlight on
   * connections of their own. Unset: as maxInFlight.
   */
  pipelinedCommits?: number;
}

/**
 * One load and one commit at a time per server, the others gathering behind
 * them: on the store benchmark with 8 clients that beat two at a time by 10–20%
 * on PostgreSQL and PGlite alike (bench/store.bench.ts, BENCH_IN_FLIGHT).
 * On PostgreSQL two commits are in flight on one connection, pipelined,
 * which beat one by 10–20% (BENCH_PIPELINED). Several servers on one
 * PostgreSQL each have their own.
 */
export const defaultBatchSettings: BatchSettings = { maxInFlight: 1, maxBatch: 32, pipelinedCommits: 2 };

/**
 * A change set this large (the start of a distribution to thousands) commits
 * on its own connection, outside the batch, so that the second or so it takes
 * does not hold up everyone else's steps.
 */
const largeChangeSetRows = 500;

/** umlauf_load's answers, and the step counters of the instances whose rows it read (PostgreSQL). */
interface LoadAnswer {
  loaded: Loaded[];
  stepSeqs: StepSeqs;
}

/** A step's change set and what the commit must confirm of what the step read. */
interface Confirmed {
  changes: ChangeSet;
  /** The step counters the step's loads were answered at from the step cache. */
  expected: StepSeqs;
  /** The versions the step started as the latest of their processes (see LatestVersions). */
  latestVersions: TakenVersions;
}

interface PendingCommit extends Confirmed {
  footprint: Set<string>;
}

export class KnexStore implements Store {
  private readonly loads: Batcher<LoadKey[], LoadAnswer>;
  private readonly commits: Batcher<PendingCommit, StepSeqs>;
  private readonly latestDefinitions: Batcher<string, DefinitionRecord | undefined>;
  private readonly latestVersions: LatestVersions;
  private readonly shared: SharedStoreState;
  private readonly stepSeqs: Batcher<string[], StepSeqs>;
  /** The connection batched commits are pipelined on (PostgreSQL, with BatchSettings.pipelinedCommits). */
  private readonly commitLane: PipelinedConnection | undefined;

  /** On PostgreSQL every step raises its instances' step counters, so two at once on one instance conflict. */
  readonly stepsOfAnInstanceConflict: boolean;
  private readonly loadsFromCache: boolean;
  /** The step counters each run's loads were answered at from the step cache, not yet confirmed (PostgreSQL). */
  private readonly unconfirmed = new WeakMap<StepRun, Map<string, number>>();

  constructor(private readonly knex: Knex, batching: BatchSettings = defaultBatchSettings, options: KnexStoreOptions = {}) {
    this.shared = sharedStateOf(knex);
    this.stepsOfAnInstanceConflict = this.shared.steps.counted;
    this.loadsFromCache = options.stepCache ?? true;
    this.loads = new Batcher((requests) => this.loadTogether(requests), batching);
    const pipelined = batching.pipelinedCommits !== undefined && onPostgres(knex) && !knex.isTransaction;
    this.commitLane = pipelined ? new PipelinedConnection(knex.client as ConnectionPool) : undefined;
    this.commits = new Batcher((pending) => this.commitTogether(pending), {
      ...batching,
      maxInFlight: pipelined ? batching.pipelinedCommits! : batching.maxInFlight,
      fits: (batch, next) => batch.every((earlier) => disjoint(earlier.footprint, next.footprint)),
    });
    this.stepSeqs = new Batcher(async (lists) => {
      const current = await this.currentStepSeqs(lists.flat());
      return lists.map(() => ({ ok: true, answer: current }));
    }, batching);
    this.latestDefinitions = new Batcher(async (processIds) => {
      const latest = await this.latestDefinitionsOf(processIds);
      return processIds.map((processId) => ({ ok: true, answer: latest.get(processId) }));
    }, batching);
    this.latestVersions = new LatestVersions(this.shared.latestDefinitions, this.shared.steps.counted, (processId) => this.latestDefinitions.submit(processId));
  }

  /**
   * The batched commits so far: calls, steps, and the time during which one
   * was in flight (the steps of large change sets, which commit on their own,
   * are not among them). The store benchmark prints them.
   */
  commitTotals(): BatchTotals {
    return this.commits.totalsSoFar();
  }

  async saveDeployment(deployment: DeploymentRecord, processes: NewDefinition[]): Promise<DefinitionRecord[]> {
    // On a store on a transaction this is a savepoint: the versions count only once the caller's transaction lands.
    if (this.knex.isTransaction) {
      const settled = () => this.shared.latestDefinitions.clear();
      (this.knex as Knex.Transaction).executionPromise.then(settled, settled);
    }
    const saved = await this.knex.transaction(async (trx) => {
      await trx('deployments').insert(deploymentRows.toRow(deployment));
      const saved: DefinitionRecord[] = [];
      for (const process of processes) {
        // Two deployments of one process at once would pick the same version; they take turns instead.
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`definition:${process.processId}`]);
        const latest = await trx('definitions').where({ process_id: process.processId }).max('version as version').first() as { version: number | null } | undefined;
        const version = (latest?.version ?? 0) + 1;
        const definition = definitionRecord(deployment, process, version);
        await trx('definitions').insert(definitionRows.toRow(definition));
        saved.push(definition);
      }
      return saved;
    });
    if (!this.knex.isTransaction) for (const definition of saved) this.latestVersions.saw(definition);
    return saved;
  }

  async getDefinition(processId: string, version?: number, run?: StepRun): Promise<DefinitionRecord | undefined> {
    // Every start asks for the latest version: answered from memory where a commit confirms it (see LatestVersions),
    // else batched like steps; all of it runs prepared.
    if (version === undefined) {
      if (this.knex.isTransaction) return (await this.latestDefinitionsOf([processId])).get(processId);
      return this.latestVersions.latest(processId, run);
    }
    const text = `select ${definitionRows.columnList()} from definitions where process_id = $1 and version = $2 limit 1`;
    const [row] = await this.prepared('umlauf_definition', text, [processId, version]);
    return row && definitionRows.fromRow(row);
  }

  /** The latest definition of each process asked for, in one query. */
  private async latestDefinitionsOf(processIds: string[]): Promise<Map<string, DefinitionRecord>> {
    const rows = await this.prepared('umlauf_latest_definitions',
      `select distinct on (process_id) ${definitionRows.columnList()} from definitions where process_id = any($1::text[]) order by process_id, version desc`,
      [processIds]);
    return new Map(rows.map((row) => [row['process_id'] as string, definitionRows.fromRow(row)]));
  }

  async getDefinitionByKey(key: string): Promise<DefinitionRecord | undefined> {
    return this.one(definitionRows, this.knex('definitions').where({ key }));
  }

  async listDefinitions(): Promise<DefinitionRecord[]> {
    return this.many(definitionRows, this.knex('definitions').orderBy([{ column: 'process_id' }, { column: 'version' }]));
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.one(deploymentRows, this.knex('deployments').where({ id }));
  }

  /**
   * On PostgreSQL, an answer from the step cache for a run that will commit
   * is confirmed by the commit (umlauf_commit_counted refuses it when an
   * instance's step counter moved, migrations/007), or by confirmReads; one
   * for a load without a run is confirmed before it is given.
   */
  async load(keys: LoadKey[], run?: StepRun): Promise<Loaded[]> {
    // A store on a knex transaction has one connection and nothing to share it with.
    if (this.knex.isTransaction) return (await this.loadNow(keys)).loaded;
    const cache = this.shared.steps;
    const known = this.loadsFromCache ? cache.answerCounted(keys) : undefined;
    if (known && run && cache.counted) {
      this.expectForRun(run, known.stepSeqs);
      return known.loaded;
    }
    if (known && await this.stillCurrent(known.stepSeqs)) return known.loaded;
    const since = cache.beginLoad();
    let answer: LoadAnswer = { loaded: [], stepSeqs: new Map() };
    try {
      answer = await this.loads.submit(keys);
      return answer.loaded;
    } finally {
      cache.rememberLoaded(since, answer.loaded, answer.stepSeqs);
    }
  }

  /** Notes the counters a run's cached answers are as of; an instance answered twice keeps the first, which the run read first. */
  private expectForRun(run: StepRun, stepSeqs: StepSeqs): void {
    let expected = this.unconfirmed.get(run);
    if (!expected) this.unconfirmed.set(run, expected = new Map());
    for (const [instanceId, stepSeq] of stepSeqs) if (!expected.has(instanceId)) expected.set(instanceId, stepSeq);
  }

  /** Whether the step cache's answers to a run's loads are still current (see Store.confirmReads). */
  async confirmReads(run: StepRun): Promise<boolean> {
    const expected = this.unconfirmed.get(run);
    this.unconfirmed.delete(run);
    const latestVersions = this.latestVersions.takenBy(run);
    const [current, latest] = await Promise.all([!expected || this.stillCurrent(expected), this.latestVersions.stillLatest(latestVersions)]);
    return current && latest;
  }

  /**
   * Whether the instances a cached answer came from are still at the step
   * counters it knew them at (PostgreSQL: another server may have written).
   * Those that moved on are dropped from the cache.
   */
  private async stillCurrent(known: StepSeqs): Promise<boolean> {
    if (!this.shared.steps.counted || known.size === 0) return true;
    const current = await this.stepSeqs.submit([...known.keys()]);
    const outdated = [...known].filter(([instanceId, stepSeq]) => current.get(instanceId) !== stepSeq).map(([instanceId]) => instanceId);
    this.shared.steps.dropOutdated(outdated);
    return outdated.length === 0;
  }

  private async currentStepSeqs(instanceIds: string[]): Promise<StepSeqs> {
    const rows = await this.prepared('umlauf_step_seqs', 'select id, step_seq from umlauf_step_seqs($1::text[])', [instanceIds]);
    return new Map(rows.map((row) => [row['id'] as string, Number(row['step_seq'])]));
  }

  async commit(changes: ChangeSet, run?: StepRun): Promise<void> {
    const cache = this.shared.steps;
    const expected: StepSeqs = (run && this.unconfirmed.get(run)) ?? new Map();
    if (run) this.unconfirmed.delete(run);
    const step: Confirmed = { changes, expected, latestVersions: this.latestVersions.takenBy(run) };
    if (this.knex.isTransaction) {
      // What lands is known only when the caller's transaction ends; until then the others see the state before it.
      const settled = () => cache.forget(changes);
      (this.knex as Knex.Transaction).executionPromise.then(settled, settled);
      await this.commitNow(step);
      return;
    }
    let stepSeqs: StepSeqs;
    try {
      if (rowCount(changes) > largeChangeSetRows) stepSeqs = await this.commitNow(step);
      else stepSeqs = await this.commits.submit({ ...step, footprint: footprint(changes) });
    } catch (error) {
      // Lost, refused, or not known whether it landed: the next step of these instances reads the database,
      // and the next start of these processes asks for their latest version.
      cache.forget(changes);
      cache.dropOutdated(expected.keys());
      this.latestVersions.forget(step.latestVersions);
      throw error;
    }
    cache.rememberCommitted(changes, stepSeqs);
  }

  private async loadNow(keys: LoadKey[]): Promise<LoadAnswer> {
    const rows = await this.callStepFunction('umlauf_load', JSON.stringify(keys));
    const answers = (rows[0]?.['answers'] ?? []) as unknown[];
    return {
      loaded: keys.map((key, index) => ({ key, value: recordsOf(key, answers[index] ?? null) })),
      stepSeqs: stepSeqsOf(keys, answers),
    };
  }

  /** The loads of several steps in one umlauf_load call (it reads one snapshot), each step's answers cut back out. */
  private async loadTogether(requests: LoadKey[][]): Promise<Outcome<LoadAnswer>[]> {
    if (requests.length === 1) return [await settle(() => this.loadNow(requests[0]!))];
    let answer: LoadAnswer;
    try {
      answer = await this.loadNow(requests.flat());
    } catch (error) {
      if (!answeredByDatabase(error)) throw error;
      return eachAlone(requests, (keys) => this.loadNow(keys));
    }
    let offset = 0;
    return requests.map((keys) => {
      offset += keys.length;
      return { ok: true, answer: { loaded: answer.loaded.slice(offset - keys.length, offset), stepSeqs: answer.stepSeqs } };
    });
  }

  /**
   * On PostgreSQL through umlauf_commit_confirmed, which confirms the
   * versions the step started as the latest (migrations/012) and, through
   * umlauf_commit_counted, raises the step counters of the instances the
   * change set writes and answers them (migrations/005, 006; the step cache
   * names the instances of the removals it knows, the database reads the
   * others'); on PGlite, the one writer, through umlauf_commit.
   */
  private async commitNow({ changes, expected, latestVersions }: Confirmed, lane?: PipelinedConnection): Promise<StepSeqs> {
    try {
      if (!onPostgres(this.knex)) {
        await this.callCommit(commitArguments(changes));
        return new Map();
      }
      const counted = this.shared.steps.countedInstancesOf(changes);
      const rows = await this.callCommit(commitArguments(changes, counted, expected, latestVersions), lane);
      return new Map(Object.entries((rows[0]?.['answers'] ?? {}) as Record<string, number>));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && conflictCodes.has(code)) {
        throw new ConflictError(`the step lost a race with another one: ${(error as Error).message}`);
      }
      throw error;
    }
  }

  /**
   * Several steps' change sets (with disjoint footprints) in one commit. When
   * that fails for one of them, a lost race or a bad value, all of it is
   * rolled back, and each goes again alone to get its own answer. An error
   * that is not the data's (the database away) is everyone's answer.
   */
  private async commitTogether(parts: PendingCommit[]): Promise<Outcome<StepSeqs>[]> {
    const lane = this.commitLane;
    if (parts.length === 1) return [await settle(() => this.commitNow(parts[0]!, lane))];
    try {
      const merged = { changes: mergeChangeSets(parts.map(({ changes }) => changes)), ...mergeExpected(parts) };
      const stepSeqs = await this.commitNow(merged, lane);
      return parts.map(() => ({ ok: true, answer: stepSeqs }));
    } catch (error) {
      if (!(error instanceof ConflictError) && !answeredByDatabase(error)) throw error;
      return eachAlone(parts, (part) => this.commitNow(part, lane));
    }
  }

  async getInstance(id: string): Promise<InstanceRecord | undefined> {
    return this.one(instanceRows, this.knex('instances').where({ id }));
  }

  async listElementInstances(instanceId: string): Promise<ElementInstanceRecord[]> {
    return this.many(elementInstanceRows, this.knex('element_instances').where({ instance_id: instanceId }).whereNot({ id: instanceId }));
  }

  async listVariables(scopeId: string): Promise<VariableRecord[]> {
    return this.many(variableRows, this.knex('variables').where({ scope_id: scopeId }).orderBy('name'));
  }

  async listVariablesOfScopes(scopeIds: string[]): Promise<VariableRecord[]> {
    if (scopeIds.length === 0) return [];
    return this.many(variableRows, this.knex('variables').whereIn('scope_id', scopeIds).orderBy([{ column: 'scope_id' }, { column: 'name' }]));
  }

  async getUserTask(id: string): Promise<UserTaskRecord | undefined> {
    return this.one(userTaskRows, this.knex('user_tasks').where({ id }));
  }

  /** Planned with its values each time, not prepared (see userTaskStatement). */
  async listUserTasks(filter: UserTaskFilter): Promise<UserTaskRecord[]> {
    const { text, values } = userTaskStatement(filter);
    return (await this.prepared(undefined, text, values)).map((row) => userTaskRows.fromRow(row));
  }

  async findDueJobs(now: string, limit: number): Promise<JobRecord[]> {
    const query = this.knex('jobs').where('due_at', '<=', now).whereNull('incident_id')
      .orderBy([{ column: 'due_at' }, { column: 'id' }]).limit(limit);
    return this.many(jobRows, query);
  }

  /**
   * Claims due jobs for one runner. `FOR UPDATE SKIP LOCKED` lets many servers
   * claim from the same table at once: each skips the rows another is claiming
   * in that moment instead of waiting for them, so no job is handed out twice.
   * The claim is a lock with an expiry; a runner that crashes leaves its jobs
   * to be claimed again when it runs out. The rev is left alone: claiming
   * changes nothing the engine sees, and the step that runs the job clears it.
   */
  async claimDueJobs(now: string, limit: number, claim: JobClaim): Promise<JobRecord[]> {
    const rows = await this.knex.raw(`
      update jobs set lock_owner = ?, lock_expires_at = ?
      where id in (
        select id from jobs
        where due_at <= ? and incident_id is null
          and (lock_expires_at is null or lock_expires_at <= ?)
          and (kind = 'timer' or type = any(?::text[]))
        order by due_at, id
        limit ?
        for update skip locked
      )
      returning *`, [claim.owner, claim.until, now, now, claim.types, limit]) as { rows: Row[] };
    return rows.rows.map((row) => jobRows.fromRow(row)).sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  async findMessageSubscriptions(name: string, correlationKey: string | undefined): Promise<SubscriptionRecord[]> {
    const query = this.knex('subscriptions').where({ kind: 'message', name }).andWhere((where) => {
      where.where({ purpose: 'startEvent' });
      if (correlationKey === undefined) where.orWhereNull('correlation_key');
      else where.orWhere({ correlation_key: correlationKey });
    });
    return this.many(subscriptionRows, query.orderBy('id'));
  }

  async findSignalSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    return this.many(subscriptionRows, this.knex('subscriptions').where({ kind: 'signal', name }).orderBy('id'));
  }

  async findStartEventTriggers(processId: string): Promise<{ jobs: JobRecord[]; subscriptions: SubscriptionRecord[] }> {
    // A definition key is `processId:version`.
    const ofProcess = ['starts_with(definition_key, ?)', [`${processId}:`]] as const;
    const [jobs, subscriptions] = await Promise.all([
      this.many(jobRows, this.knex('jobs').where({ purpose: 'startEvent' }).whereRaw(...ofProcess)),
      this.many(subscriptionRows, this.knex('subscriptions').where({ purpose: 'startEvent' }).whereRaw(...ofProcess)),
    ]);
    return { jobs, subscriptions };
  }

  async listHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.many(historyRows, this.knex('history').where({ instance_id: instanceId }).orderBy('seq'));
  }

  async listIncidents(instanceId?: string): Promise<IncidentRecord[]> {
    const query = this.knex('incidents').orderBy([{ column: 'created_at' }, { column: 'id' }]);
    if (instanceId !== undefined) query.where({ instance_id: instanceId });
    return this.many(incidentRows, query);
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    return this.one(incidentRows, this.knex('incidents').where({ id }));
  }

  /** Calls umlauf_load, which a step that is not cached does, with its keys as one jsonb argument. */
  private async callStepFunction(name: 'umlauf_load', json: string): Promise<Row[]> {
    return this.callWithTexts(name, `select ${name}($1::jsonb) as answers`, [json]);
  }

  /** Calls umlauf_commit_rows (migrations/013), which every step does; on `lane` when given. */
  private async callCommit(values: string[], lane?: PipelinedConnection): Promise<Row[]> {
    const name = 'umlauf_commit_rows';
    if (lane) return lane.query({ name, text: commitStatement, values });
    return this.callWithTexts(name, commitStatement, values);
  }

  /**
   * Runs `text`, whose placeholders each name their type ($1::jsonb), with
   * `values`: as a statement prepared once per connection, on PostgreSQL and
   * on PGlite alike (see namedStatements).
   */
  private async callWithTexts(name: string, text: string, values: string[]): Promise<Row[]> {
    if (this.knex.isTransaction) return this.prepared(name, text, values);
    return this.onConnection((connection) => runNamed(connection, { name, text, values }));
  }

  /**
   * Runs a statement of fixed text ($1, $2 … for its values) that a step or an
   * inbox runs all the time. It skips knex's query building and runs on a
   * pooled connection; on PostgreSQL as a named prepared statement, parsed
   * and planned once per connection. Measured, that halves the node time of
   * a call and spares the server the parsing. `name` must stand for one text;
   * without one the statement is planned with its values on every call (see
   * userTaskStatement). A store on a knex transaction goes through knex.raw.
   */
  private async prepared(name: string | undefined, text: string, values: unknown[]): Promise<Row[]> {
    if (this.knex.isTransaction) {
      return (await this.knex.raw(text.replace(/\$\d+/g, '?'), values as Knex.RawBinding[]) as { rows: Row[] }).rows;
    }
    const named = name !== undefined && onPostgres(this.knex);
    // A pg connection takes a named statement; PGlite's single connection (the PGlite instance) takes text and values.
    const result = await this.onConnection((connection) => (named ? connection.query({ name, text, values }) : connection.query(text, values)));
    return result.rows;
  }

  /** Runs `use` on a connection of knex's pool, skipping knex's query building. */
  private async onConnection<T>(use: (connection: Connection) => Promise<T>): Promise<T> {
    const client = this.knex.client as PooledClient;
    const connection = await client.acquireConnection();
    try {
      return await use(connection);
    } finally {
      await client.releaseConnection(connection);
    }
  }

  private async one<T extends object>(mapping: RowMapping<T>, query: Knex.QueryBuilder): Promise<T | undefined> {
    const row = await query.first() as Row | undefined;
    return row && mapping.fromRow(row);
  }

  private async many<T extends object>(mapping: RowMapping<T>, query: Knex.QueryBuilder): Promise<T[]> {
    return (await query as Row[]).map((row) => mapping.fromRow(row));
  }
}

async function settle<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, answer: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The counters and versions several steps expect, for one commit. Two steps
 * may expect one instance at different counters (one read it before a commit
 * of this server moved it on), or take different versions as a process's
 * latest (one started before a deployment); the lower one stands, so that
 * the commit is refused and each step goes again alone.
 */
function mergeExpected(parts: PendingCommit[]): Pick<Confirmed, 'expected' | 'latestVersions'> {
  return { expected: lowestOf(parts.map((part) => part.expected)), latestVersions: lowestOf(parts.map((part) => part.latestVersions)) };
}

function lowestOf(maps: ReadonlyMap<string, number>[]): Map<string, number> {
  const lowest = new Map<string, number>();
  for (const map of maps) for (const [key, value] of map) lowest.set(key, Math.min(value, lowest.get(key) ?? value));
  return lowest;
}

/** Each request on its own, one after the other (the batch keeps its one slot). */
async function eachAlone<Item, Answer>(items: Item[], call: (item: Item) => Promise<Answer>): Promise<Outcome<Answer>[]> {
  const outcomes: Outcome<Answer>[] = [];
  for (const item of items) outcomes.push(await settle(() => call(item)));
  return outcomes;
}
