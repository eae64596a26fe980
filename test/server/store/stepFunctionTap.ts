/**
 * A tap on a store's connection for tests that count or hold the calls of the
 * step functions umlauf_load and umlauf_commit_rows, the latter by the name
 * umlauf_commit (see KnexStore.callStepFunction and callCommit),
 * and count the questions for step counters (umlauf_step_seqs) and any other
 * statement the store runs on its connections.
 */
import type { Knex } from 'knex';
import {
  elementInstanceRows, historyRows, incidentRows, instanceRows, jobRows, outputRows, subscriptionRows, userTaskRows, variableRows,
} from '../../../server/store/rows.js';
import { runNamed, type NamedStatement, type NamedStatementConnection } from '../../../server/store/namedStatements.js';
import { commitParameters } from '../../../server/store/stepRows.js';
import { parseArray, parseComposite } from './postgresLiteralParser.js';

export type StepFunction = 'umlauf_load' | 'umlauf_commit' | 'umlauf_step_seqs';

/** One call of a step function as the database got it. */
export interface StepFunctionCall {
  name: StepFunction;
  /** The keys for umlauf_load (its jsonb argument); for a commit its arguments by name (see commitArgument); the instance ids for umlauf_step_seqs. */
  argument: unknown;
  failed: boolean;
}

/** A `pg` connection or the PGlite instance (see KnexStore's Connection). */
type Connection = NamedStatementConnection & { query(...args: unknown[]): Promise<unknown> };

/** What KnexStore uses of knex's client for its step functions (see KnexStore.onConnection). */
interface PooledClient<C = Connection> {
  config: { client?: unknown };
  acquireConnection(): Promise<C>;
  releaseConnection(connection: C): Promise<void>;
}

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((onResolve) => { resolve = onResolve; });
  return { promise, resolve };
}

/**
 * Records the step-function calls of a store and can hold them back. The
 * store gets a knex whose client hands out connections that take one only
 * when a query runs, so a held call keeps no connection (PGlite has one).
 */
export class StepFunctionTap {
  readonly calls: StepFunctionCall[] = [];
  /** The text of every statement the store ran on its connections, step function or not. */
  readonly texts: string[] = [];
  private readonly held = new Map<StepFunction, Deferred>();

  /** The knex to give the store: the same database, the step functions watched. */
  wrap(knex: Knex): Knex {
    const client = knex.client as PooledClient;
    const tapped: PooledClient<{ query(...args: unknown[]): Promise<unknown> }> = {
      config: client.config,
      // Like a `pg` connection, so that a named statement comes to query() here on PGlite too.
      acquireConnection: async () => ({ query: (...args: unknown[]) => this.run(client, args) }),
      releaseConnection: async () => {},
    };
    return new Proxy(knex, {
      get(target, property) {
        if (property === 'client') return tapped;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** Calls of `name` from now on wait in the store's batcher slot until released. */
  hold(name: StepFunction): void {
    this.held.set(name, deferred());
  }

  release(name: StepFunction): void {
    this.held.get(name)?.resolve();
    this.held.delete(name);
  }

  forget(): void {
    this.calls.length = 0;
    this.texts.length = 0;
  }

  callsOf(name: StepFunction): StepFunctionCall[] {
    return this.calls.filter((call) => call.name === name);
  }

  /** How many steps' change sets each umlauf_commit carried: every completion writes exactly one user task. */
  changeSetsPerCommit(): number[] {
    return this.callsOf('umlauf_commit').map((call) => (call.argument as { userTasks: unknown[] }).userTasks.length);
  }

  /** The user tasks an umlauf_commit call wrote. */
  tasksOf(call: StepFunctionCall): string[] {
    return (call.argument as { userTasks: { id: string }[] }).userTasks.map((task) => task.id);
  }

  private async run(client: PooledClient, args: unknown[]): Promise<unknown> {
    const call = this.record(args);
    if (call) await this.held.get(call.name)?.promise;
    const connection = await client.acquireConnection();
    try {
      const [first] = args;
      if (typeof first === 'object' && first !== null && 'name' in first) return { rows: await runNamed(connection, first as NamedStatement) };
      return await connection.query(...args);
    } catch (error) {
      if (call) call.failed = true;
      throw error;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /** The call, when the statement is one of the step functions; otherwise undefined. */
  private record(args: unknown[]): StepFunctionCall | undefined {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : (first as { text: string }).text;
    this.texts.push(text);
    // A commit goes through umlauf_commit_rows (migrations/013).
    const called = /\b(umlauf_load|umlauf_commit|umlauf_step_seqs)(?:_rows)?\(/.exec(text);
    if (!called) return undefined;
    const name = called[1] as StepFunction;
    const valuesOrConfig = typeof first === 'string' ? second : first;
    if (name === 'umlauf_step_seqs') return this.add({ name, argument: valuesOf(valuesOrConfig)[0], failed: false });
    const values = valuesOf(valuesOrConfig) as string[];
    const argument = name === 'umlauf_load' ? JSON.parse(values[0]!) as unknown : commitArgument(values);
    return this.add({ name, argument, failed: false });
  }

  private add(call: StepFunctionCall): StepFunctionCall {
    this.calls.push(call);
    return call;
  }
}

/** The values of a statement sent with values ({ name, text, values }, or text and values). */
function valuesOf(valuesOrConfig: unknown): unknown[] {
  return Array.isArray(valuesOrConfig) ? valuesOrConfig : (valuesOrConfig as { values: unknown[] }).values;
}

/** The columns of the rows in each of umlauf_commit_rows' row arguments. */
const rowColumns: Record<string, string[]> = {
  instances: instanceRows.columnNames(),
  elementInstances: elementInstanceRows.columnNames(),
  variables: variableRows.columnNames(),
  userTasks: userTaskRows.columnNames(),
  jobs: jobRows.columnNames(),
  subscriptions: subscriptionRows.columnNames(),
  incidents: incidentRows.columnNames(),
  outputs: outputRows.columnNames(),
  history: historyRows.columnNames(),
  elementInstanceRemovals: ['id', 'rev'],
  jobRemovals: ['id', 'rev'],
  subscriptionRemovals: ['id', 'rev'],
};

/**
 * A commit's arguments read back: each by its parameter's name (see
 * commitParameters), rows as objects of column texts, and the counters it
 * confirms as `expectedStepSeqs` (instance id to counter; absent when none).
 */
function commitArgument(values: string[]): CommitArgument {
  const argument: CommitArgument = {};
  commitParameters.forEach(([name], index) => {
    const elements = parseArray(values[index]!);
    const columns = rowColumns[name];
    argument[name] = columns ? elements.map((element) => rowOf(columns, parseComposite(element!))) : elements;
  });
  const instances = argument['expectedInstances'] as string[];
  const counters = argument['expectedStepSeqs'] as string[];
  argument['expectedStepSeqs'] = instances.length > 0 ? Object.fromEntries(instances.map((id, index) => [id, Number(counters[index])])) : undefined;
  return argument;
}

type CommitArgument = Record<string, unknown>;

function rowOf(columns: string[], fields: (string | null)[]): Record<string, string | null> {
  return Object.fromEntries(columns.map((column, index) => [column, fields[index] ?? null]));
}
