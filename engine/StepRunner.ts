/**
 * Runs one step: load, execute, commit, perform effects. A step that reads
 * something not yet loaded is run again once it is loaded; a commit that loses
 * a race with another engine is run again on fresh data.
 */
import type { Effect, ModelSource } from './runtime/Execution.js';
import { Execution, InconsistentRead, MissingDefinition } from './runtime/Execution.js';
import { MissingRecords, StepState, partialVariablesKey, type PartialScopeVariables } from './runtime/StepState.js';
import { handleOperation } from './runtime/lifecycle.js';
import { behaviors } from './elements/index.js';
import { loadKeyString, type ChainVariables, type ChangeSet, type LoadKey, type ScopeChain, type StepRun, type Store } from './store/Store.js';
import type { ElementInstanceRecord } from './types.js';
import { ConflictError } from './errors.js';
import { instanceTurnsOf, instancesWrittenBy, type InstanceTurns } from './InstanceTurns.js';
import type { ProcessModel } from './model/ProcessModel.js';
import type { Deployer } from './Deployer.js';
import * as commands from './runtime/commands.js';

export interface RunOptions {
  /** Load this element instance and its enclosing scopes up front. */
  scopesOf?: string;
  /** Run again when the commit loses a race (default true). */
  retryConflicts?: boolean;
}

/**
 * Enough for many engines completing siblings of one multi-instance body at
 * once: each round of a race has a winner, so a step loses at most as often
 * as there are rivals.
 */
const maxConflictRetries = 100;
const maxLoadRounds = 10_000;

/** A committed step: the command's result, the change set that landed, and whether effects ran after it. */
export interface Committed<T> {
  result: T;
  changes: ChangeSet;
  hadEffects: boolean;
}

export class StepRunner {
  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
    private readonly newId: () => string,
    private readonly deployer: Deployer,
    private readonly performEffect: (effect: Effect) => Promise<void>,
    private readonly pauseBeforeRetry: (attempt: number) => Promise<void> = async () => {},
  ) {}

  async run<T>(preload: LoadKey[], command: (execution: Execution) => T, options: RunOptions = {}): Promise<T> {
    return (await this.runCommitted(preload, command, options)).result;
  }

  /**
   * Like run, and also hands back the change set that was committed and
   * whether effects ran after it, so a caller can answer from what the step
   * wrote instead of reading it back (which costs round trips).
   */
  async runCommitted<T>(preload: LoadKey[], command: (execution: Execution) => T, options: RunOptions = {}): Promise<Committed<T>> {
    const turns = instanceTurnsOf(this.store);
    let endTurn: (() => void) | undefined;
    try {
      for (let conflicts = 0; ; conflicts++) {
        const run: StepRun = {};
        let committing = false;
        let written: string[] = [];
        let outcome: { result: T; execution: Execution };
        let changes: ChangeSet;
        try {
          outcome = await this.execute(preload, command, options, run);
          changes = outcome.execution.state.toChangeSet();
          written = instancesWrittenBy(changes);
          if (!endTurn && options.retryConflicts !== false && this.rivalsWaiting(turns, written)) {
            // Steps that lost a race on these instances are waiting: this one would lose to them too.
            endTurn = await turns.take(written, false);
            continue;
          }
          committing = true;
          await this.store.commit(changes, run);
        } catch (error) {
          // A ConflictError from the command itself (a task no longer open) is its answer, if what it read was current;
          // one from the commit is a lost race.
          const lostRace = error instanceof InconsistentRead || (committing && error instanceof ConflictError)
            || (!committing && !(await this.readsStillCurrent(run)));
          if (!lostRace || options.retryConflicts === false || conflicts >= maxConflictRetries) throw error;
          if (!endTurn && written.length > 0) endTurn = await turns.take(written, true);
          else await this.pauseBeforeRetry(conflicts + 1);
          continue;
        }
        // The next step of these instances may go while this one's effects run.
        endTurn?.();
        endTurn = undefined;
        const effects = outcome.execution.effects;
        for (const effect of effects) await this.performEffect(effect);
        return { result: outcome.result, changes, hadEffects: effects.length > 0 };
      }
    } finally {
      endTurn?.();
    }
  }

  /**
   * Whether steps that a step of these instances would lose to are waiting:
   * where any two steps of an instance conflict, any step holding or awaiting
   * a turn there; elsewhere only one that lost a race (see InstanceTurns).
   */
  private rivalsWaiting(turns: InstanceTurns, written: string[]): boolean {
    return this.store.stepsOfAnInstanceConflict ? turns.busy(written) : turns.contested(written);
  }

  /** Delivers a message or signal to one subscription; false when it was gone. */
  deliver(subscriptionId: string, variables: Record<string, unknown>): Promise<boolean> {
    return this.run([{ kind: 'subscription', id: subscriptionId }], (execution) => commands.deliver(execution, subscriptionId, variables));
  }

  /**
   * Runs a command that only reads, e.g. the variables a service handler gets.
   * Its loads name no run: no commit follows to confirm them, so the store
   * answers each as current.
   */
  async read<T>(preload: LoadKey[], query: (execution: Execution) => T, options: RunOptions = {}): Promise<T> {
    return (await this.execute(preload, query, options)).result;
  }

  /**
   * Whether what a run that failed before its commit read was current (see
   * Store.confirmReads). When the store cannot tell (its database is away),
   * the command's own error is the answer.
   */
  private async readsStillCurrent(run: StepRun): Promise<boolean> {
    if (!this.store.confirmReads) return true;
    try {
      return await this.store.confirmReads(run);
    } catch {
      return true;
    }
  }

  private async execute<T>(preload: LoadKey[], command: (execution: Execution) => T, options: RunOptions, run?: StepRun): Promise<{ result: T; execution: Execution }> {
    const snapshot = new Map<string, unknown>();
    await this.load(snapshot, withScopeChain(preload, options.scopesOf), run);
    const models = new StepModels(this.deployer, run);
    const now = this.clock();
    for (let round = 0; round < maxLoadRounds; round++) {
      const execution = new Execution(new StepState(snapshot), now, this.newId, models, behaviors, handleOperation);
      let outcome: { result: T; execution: Execution } | undefined;
      let failure: unknown;
      try {
        const result = command(execution);
        execution.run();
        outcome = { result, execution };
      } catch (error) {
        failure = error;
      }
      // A run that read variables not yet loaded was a guess, whatever it did; run it again once they are.
      const missed = execution.state.missedVariables();
      const keys = failure instanceof MissingRecords ? [...failure.keys, ...missed] : missed;
      if (keys.length > 0) await this.load(snapshot, keys, run);
      else if (failure instanceof MissingDefinition) await models.resolve(failure);
      else if (failure !== undefined) throw failure;
      else if (outcome) return outcome;
    }
    throw new Error('the step kept asking for more records');
  }

  private async load(snapshot: Map<string, unknown>, keys: LoadKey[], run: StepRun | undefined): Promise<void> {
    const wanted = keys.filter((key) => !snapshot.has(loadKeyString(key)));
    if (wanted.length === 0) return;
    for (const { key, value } of await this.store.load(wanted, run)) {
      snapshot.set(loadKeyString(key), value);
      if (key.kind === 'scopeChain') rememberScopeChain(snapshot, key.id, value as ScopeChain);
    }
  }
}

/** The models one step may use; the latest version of a process is looked up once per step. */
class StepModels implements ModelSource {
  private readonly latestKeys = new Map<string, string | null>();

  constructor(private readonly deployer: Deployer, private readonly run: StepRun | undefined) {}

  model(definitionKey: string): ProcessModel {
    const model = this.deployer.cached(definitionKey);
    if (!model) throw new MissingDefinition({ key: definitionKey });
    return model;
  }

  latest(processId: string): { key: string; model: ProcessModel } | undefined {
    const key = this.latestKeys.get(processId);
    if (key === undefined) throw new MissingDefinition({ processId });
    return key === null ? undefined : { key, model: this.model(key) };
  }

  async resolve(missing: MissingDefinition): Promise<void> {
    const request = missing.request;
    if ('key' in request) {
      await this.deployer.modelFor(request.key);
      return;
    }
    const key = await this.deployer.latestKey(request.processId, this.run);
    if (key) await this.deployer.modelFor(key);
    this.latestKeys.set(request.processId, key ?? null);
  }
}

/** The keys to load first: the preload and, with scopesOf, that element instance's scope chain, which answers its elementInstance key too. */
function withScopeChain(preload: LoadKey[], scopesOf: string | undefined): LoadKey[] {
  if (scopesOf === undefined) return preload;
  const rest = preload.filter((key) => !(key.kind === 'elementInstance' && key.id === scopesOf));
  return [...rest, { kind: 'scopeChain', id: scopesOf, variables: true }];
}

/** A loaded scope chain answers the element instance and instance keys it holds, so the step asks for none of them. */
function rememberScopeChain(snapshot: Map<string, unknown>, id: string, chain: ScopeChain): void {
  // Innermost first: the element instance asked for, or nothing when it is gone.
  snapshot.set(loadKeyString({ kind: 'elementInstance', id }), chain.elementInstances[0]);
  for (const record of chain.elementInstances) snapshot.set(loadKeyString({ kind: 'elementInstance', id: record.id }), record);
  if (chain.instance) snapshot.set(loadKeyString({ kind: 'instance', id: chain.instance.id }), chain.instance);
  if (chain.variables) rememberChainVariables(snapshot, chain.elementInstances, chain.variables);
}

/**
 * The variables sent along with a scope chain answer the variable reads of
 * the step (which otherwise cost a second load, once the first run has shown
 * what it reads): a scope sent whole answers as its scopeVariables key would.
 */
function rememberChainVariables(snapshot: Map<string, unknown>, scopes: ElementInstanceRecord[], variables: ChainVariables): void {
  const byScope = new Map<string, PartialScopeVariables>(scopes.map((scope) => [scope.id, { small: new Map(), large: new Set() }]));
  for (const record of variables.small) byScope.get(record.scopeId)?.small.set(record.name, record);
  for (const { scopeId, name } of variables.large) byScope.get(scopeId)?.large.add(name);
  for (const [scopeId, partial] of byScope) {
    snapshot.set(partialVariablesKey(scopeId), partial);
    const whole = loadKeyString({ kind: 'scopeVariables', scopeId });
    if (partial.large.size === 0 && !snapshot.has(whole)) snapshot.set(whole, [...partial.small.values()]);
  }
}
