/**
 * The unit of work of one step: reads from a snapshot of loaded records,
 * buffers every write, and turns them into one ChangeSet at the end. A read of
 * something not loaded throws MissingRecords; the engine loads it and runs the
 * step again from the start, which is safe because a step is deterministic and
 * has changed nothing outside this object.
 */
import type {
  ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord, JobRecord, MultiInstanceOutputRecord,
  SubscriptionRecord, UserTaskRecord, VariableRecord,
} from '../types.js';
import { emptyChangeSet, loadKeyString, type ChangeSet, type LoadKey } from '../store/Store.js';
import { VersionedTable } from './VersionedTable.js';

export class MissingRecords extends Error {
  constructor(readonly keys: LoadKey[]) {
    super(`step needs records that are not loaded: ${keys.map(loadKeyString).join(', ')}`);
  }
}

export class StepState {
  readonly instances = new VersionedTable<InstanceRecord>();
  readonly elementInstances = new VersionedTable<ElementInstanceRecord>();
  readonly userTasks = new VersionedTable<UserTaskRecord>();
  readonly jobs = new VersionedTable<JobRecord>();
  readonly subscriptions = new VersionedTable<SubscriptionRecord>();
  readonly incidents = new VersionedTable<IncidentRecord>();
  private readonly variables = new Map<string, VariableRecord>();
  private readonly removedScopes = new Set<string>();
  /** The removed scopes whose stored variables the commit deletes: not those known to have none. */
  private readonly scopesToClear = new Set<string>();
  private readonly outputs = new Map<string, MultiInstanceOutputRecord>();
  private readonly removedOutputBodies = new Set<string>();
  private readonly history: HistoryEvent[] = [];
  private readonly variableMisses = new Map<string, LoadKey>();

  constructor(private readonly snapshot: ReadonlyMap<string, unknown>) {}

  /** The loaded answer to a key, or MissingRecords. */
  private loaded<T>(key: LoadKey): T {
    const id = loadKeyString(key);
    if (!this.snapshot.has(id)) throw new MissingRecords([key]);
    return this.snapshot.get(id) as T;
  }

  /** A stored list that belongs to a scope; a scope made in this step has nothing stored yet. */
  private storedOf<T>(scopeId: string, key: LoadKey): T[] {
    return this.elementInstances.isNew(scopeId) ? [] : this.loaded<T[]>(key);
  }

  instance(id: string): InstanceRecord | undefined {
    return this.instances.get(id, () => this.loaded<InstanceRecord | undefined>({ kind: 'instance', id }));
  }

  elementInstance(id: string): ElementInstanceRecord | undefined {
    return this.elementInstances.get(id, () => this.loaded<ElementInstanceRecord | undefined>({ kind: 'elementInstance', id }));
  }

  userTask(id: string): UserTaskRecord | undefined {
    return this.userTasks.get(id, () => this.loaded<UserTaskRecord | undefined>({ kind: 'userTask', id }));
  }

  job(id: string): JobRecord | undefined {
    return this.jobs.get(id, () => this.loaded<JobRecord | undefined>({ kind: 'job', id }));
  }

  subscription(id: string): SubscriptionRecord | undefined {
    return this.subscriptions.get(id, () => this.loaded<SubscriptionRecord | undefined>({ kind: 'subscription', id }));
  }

  incident(id: string): IncidentRecord | undefined {
    return this.incidents.get(id, () => this.loaded<IncidentRecord | undefined>({ kind: 'incident', id }));
  }

  /** The active element instances directly inside a scope, as this step sees them. */
  children(scopeId: string): ElementInstanceRecord[] {
    const stored = this.storedOf<ElementInstanceRecord>(scopeId, { kind: 'children', scopeId });
    for (const record of stored) this.elementInstances.get(record.id, () => record);
    return [...this.elementInstances.values()].filter((record) => record.scopeId === scopeId);
  }

  /** The waiting join of a gateway in a scope, if a token already waits there. */
  join(scopeId: string, elementId: string): ElementInstanceRecord | undefined {
    for (const record of this.elementInstances.values()) {
      if (record.scopeId === scopeId && record.elementId === elementId && record.arrivals) return record;
    }
    if (this.elementInstances.isNew(scopeId)) return undefined;
    const stored = this.loaded<ElementInstanceRecord | undefined>({ kind: 'join', scopeId, elementId });
    return stored ? this.elementInstances.get(stored.id, () => stored) : undefined;
  }

  /** A variable of exactly this scope: found or not. */
  variable(scopeId: string, name: string): { found: boolean; value?: unknown } {
    const written = this.variables.get(variableKey(scopeId, name));
    if (written) return { found: true, value: written.value };
    if (this.removedScopes.has(scopeId) || this.elementInstances.isNew(scopeId)) return { found: false };
    const all = this.snapshot.get(loadKeyString({ kind: 'scopeVariables', scopeId })) as VariableRecord[] | undefined;
    if (all) {
      const stored = all.find((record) => record.name === name);
      return stored ? { found: true, value: stored.value } : { found: false };
    }
    const partial = this.snapshot.get(partialVariablesKey(scopeId)) as PartialScopeVariables | undefined;
    if (partial && !partial.large.has(name)) {
      const stored = partial.small.get(name);
      return stored ? { found: true, value: stored.value } : { found: false };
    }
    const key: LoadKey = { kind: 'variable', scopeId, name };
    const id = loadKeyString(key);
    if (!this.snapshot.has(id)) {
      // Not loaded: carry on as if absent and note it, so that one run finds
      // every variable the step reads (a lookup asks each scope up the chain)
      // and one load fetches them all; the runner discards this run.
      this.variableMisses.set(id, key);
      return { found: false };
    }
    const stored = this.snapshot.get(id) as VariableRecord | undefined;
    return stored ? { found: true, value: stored.value } : { found: false };
  }

  /** All variables of exactly this scope. */
  scopeVariables(scopeId: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    if (!this.removedScopes.has(scopeId)) {
      for (const record of this.storedOf<VariableRecord>(scopeId, { kind: 'scopeVariables', scopeId })) result[record.name] = record.value;
    }
    for (const record of this.variables.values()) if (record.scopeId === scopeId) result[record.name] = record.value;
    return result;
  }

  setVariable(scopeId: string, instanceId: string, name: string, value: unknown): void {
    this.variables.set(variableKey(scopeId, name), { scopeId, instanceId, name, value });
  }

  removeScopeVariables(scopeId: string): void {
    this.removedScopes.add(scopeId);
    if (this.mayHaveStoredVariables(scopeId)) this.scopesToClear.add(scopeId);
    for (const [key, record] of this.variables) if (record.scopeId === scopeId) this.variables.delete(key);
  }

  /**
   * Whether a scope may have stored variables: not when it was made in this
   * step, nor when what was loaded of it names every variable and there are
   * none. Most element instances (a user task without input mappings, a
   * gateway) have none, and skipping their delete saves each step a statement
   * in the commit.
   */
  private mayHaveStoredVariables(scopeId: string): boolean {
    if (this.elementInstances.isNew(scopeId)) return false;
    const all = this.snapshot.get(loadKeyString({ kind: 'scopeVariables', scopeId })) as VariableRecord[] | undefined;
    if (all) return all.length > 0;
    const partial = this.snapshot.get(partialVariablesKey(scopeId)) as PartialScopeVariables | undefined;
    return !partial || partial.small.size + partial.large.size > 0;
  }

  putOutput(record: MultiInstanceOutputRecord): void {
    this.outputs.set(`${record.bodyId}\u0000${record.index}`, record);
  }

  /** The collected outputElement values of a multi-instance body, by index. */
  outputsOf(bodyId: string): MultiInstanceOutputRecord[] {
    const stored = this.removedOutputBodies.has(bodyId) ? [] : this.storedOf<MultiInstanceOutputRecord>(bodyId, { kind: 'multiInstanceOutputs', bodyId });
    const byIndex = new Map(stored.map((record) => [record.index, record]));
    for (const record of this.outputs.values()) if (record.bodyId === bodyId) byIndex.set(record.index, record);
    return [...byIndex.values()];
  }

  removeOutputs(bodyId: string): void {
    this.removedOutputBodies.add(bodyId);
    for (const [key, record] of this.outputs) if (record.bodyId === bodyId) this.outputs.delete(key);
  }

  /** Variables the step read without their being loaded: the run is only a guess until they are. */
  missedVariables(): LoadKey[] {
    return [...this.variableMisses.values()];
  }

  appendHistory(event: HistoryEvent): void {
    this.history.push(event);
  }

  toChangeSet(): ChangeSet {
    const changes = emptyChangeSet();
    changes.instances = this.instances.puts();
    changes.elementInstances = { put: this.elementInstances.puts(), remove: this.elementInstances.removals() };
    changes.variables = { put: [...this.variables.values()], removeScopes: [...this.scopesToClear] };
    changes.userTasks = this.userTasks.puts();
    changes.jobs = { put: this.jobs.puts(), remove: this.jobs.removals() };
    changes.subscriptions = { put: this.subscriptions.puts(), remove: this.subscriptions.removals() };
    changes.incidents = this.incidents.puts();
    changes.multiInstanceOutputs = { put: [...this.outputs.values()], removeBodies: [...this.removedOutputBodies] };
    changes.history = this.history;
    return changes;
  }
}

/** A scope's variables as a scope chain brought them: every name is known, the values of the large ones are not. */
export interface PartialScopeVariables {
  small: Map<string, VariableRecord>;
  large: Set<string>;
}

/** Where a scope's PartialScopeVariables lie in the snapshot (not a load key: only a scope chain brings them). */
export function partialVariablesKey(scopeId: string): string {
  return `partialVariables\u0000${scopeId}`;
}

function variableKey(scopeId: string, name: string): string {
  return `${scopeId}\u0000${name}`;
}
