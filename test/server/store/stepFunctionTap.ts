/**
 * A tap on a store's connection for tests that count or hold the calls of the
 * step functions umlauf_load and umlauf_commit (see KnexStore.callStepFunction),
 * and count the questions for step counters (umlauf_step_seqs) and any other
 * statement the store runs on its connections.
 */
import type { Knex } from 'knex';

export type StepFunction = 'umlauf_load' | 'umlauf_commit' | 'umlauf_step_seqs';

/** One call of a step function as the database got it. */
export interface StepFunctionCall {
  name: StepFunction;
  /** The jsonb argument: a change set's rows for umlauf_commit, the keys for umlauf_load; the instance ids for umlauf_step_seqs. */
  argument: unknown;
  failed: boolean;
}

/** A `pg` connection or the PGlite instance: statements with values through query, PGlite's inline ones through exec. */
interface Connection {
  query(...args: unknown[]): Promise<unknown>;
  exec(...args: unknown[]): Promise<unknown>;
}

type ConnectionMethod = keyof Connection;

/** What KnexStore uses of knex's client for its step functions (see KnexStore.prepared). */
interface PooledClient {
  config: { client?: unknown };
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<void>;
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
    const tapped: PooledClient = {
      config: client.config,
      acquireConnection: async () => ({
        query: (...args: unknown[]) => this.run(client, 'query', args),
        exec: (...args: unknown[]) => this.run(client, 'exec', args),
      }),
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

  private async run(client: PooledClient, method: ConnectionMethod, args: unknown[]): Promise<unknown> {
    const call = this.record(method, args);
    if (call) await this.held.get(call.name)?.promise;
    const connection = await client.acquireConnection();
    try {
      return await connection[method](...args);
    } catch (error) {
      if (call) call.failed = true;
      throw error;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /** The call, when the statement is one of the step functions; otherwise undefined. */
  private record(method: ConnectionMethod, args: unknown[]): StepFunctionCall | undefined {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : (first as { text: string }).text;
    this.texts.push(text);
    // On PostgreSQL a commit goes through umlauf_commit_confirmed (migrations/012), which calls umlauf_commit_counted
    // (migrations/005), which calls umlauf_commit.
    const called = /\b(umlauf_load|umlauf_commit|umlauf_step_seqs)(?:_counted|_confirmed)?\(/.exec(text);
    if (!called) return undefined;
    const name = called[1] as StepFunction;
    const valuesOrConfig = typeof first === 'string' ? second : first;
    const argument = name === 'umlauf_step_seqs' ? firstValue(valuesOrConfig) : JSON.parse(jsonArgument(method, text, valuesOrConfig));
    const call: StepFunctionCall = { name, argument, failed: false };
    this.calls.push(call);
    return call;
  }
}

/**
 * The jsonb argument of a step-function call as text, however the store sent
 * it: as the first value (pg gets { text, values }, PGlite text and values),
 * or inline as a quoted literal through PGlite's exec.
 */
function jsonArgument(method: ConnectionMethod, text: string, valuesOrConfig: unknown): string {
  if (method === 'query') return firstValue(valuesOrConfig) as string;
  const literal = /umlauf_(?:load|commit)\('((?:[^']|'')*)'::jsonb\)/s.exec(text);
  if (!literal) throw new Error(`the tap cannot read the argument of: ${text.slice(0, 80)}`);
  return literal[1]!.replaceAll("''", "'");
}

/** The first value of a statement sent with values (pg gets { text, values }, PGlite text and values). */
function firstValue(valuesOrConfig: unknown): unknown {
  const values = Array.isArray(valuesOrConfig) ? valuesOrConfig : (valuesOrConfig as { values: unknown[] }).values;
  return values[0];
}
