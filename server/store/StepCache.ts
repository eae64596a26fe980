/**
 * The state of the instances this server works on, as its own commits left
 * it, so that the next step of such an instance runs without a load call.
 *
 * On a database with one writer (embedded PGlite: one process, every write
 * through KnexStore.commit) a record kept here is the stored one, because
 * every change that lands is applied here as well. With several servers on
 * one PostgreSQL another server's change is not applied here, so there the
 * cache counts (`counted`): it knows each instance as of its step counter
 * (instances.step_seq, migrations/005), which every commit raises, and an
 * answer names the counters it relies on. The store has the database
 * confirm them, with the step's commit or before it uses the answer; if one
 * moved, that instance is dropped here and the step loads from the database.
 *
 * It answers only what it knows completely: a user task, an instance, an
 * element instance, and a scope chain whose every scope it has followed since
 * the scope was made or loaded whole. Anything else is a miss, and the step's
 * keys go to the database together; what comes back is kept for next time.
 */
import type { ChangeSet, LoadKey, Loaded, Removal, ScopeChain } from '../../engine/index.js';
import type { ElementInstanceRecord, InstanceRecord, UserTaskRecord, VariableRecord } from '../../engine/index.js';

/** A variable whose value is too large to keep here: it is named in a scope chain, and the step loads it if it reads it. */
interface LargeVariable {
  scopeId: string;
  name: string;
}

type KnownVariable = { small: VariableRecord } | { large: LargeVariable };

/** What is known of one instance; kept and dropped as a whole. */
interface InstanceEntry {
  instance?: InstanceRecord;
  elementInstances: Map<string, ElementInstanceRecord>;
  /** The variables of each scope whose variables are all known; a scope not here is unknown. */
  scopeVariables: Map<string, Map<string, KnownVariable>>;
  userTasks: Map<string, UserTaskRecord>;
  /** Counted: the instance's step counter that all of this is as of. */
  stepSeq?: number;
}

/** A counted cache's answer: the loads, and the step counter of each instance they came from. */
export interface CountedAnswer {
  loaded: Loaded[];
  stepSeqs: Map<string, number>;
}

/** Step counters by instance id, as umlauf_commit_counted and umlauf_load tell them. */
export type StepSeqs = ReadonlyMap<string, number>;

/**
 * Which step counters umlauf_commit_counted raises (migrations/006): those of
 * the instances in `steps`, and of the instances of the removed rows in
 * `removalsToLookUp`, which it reads from the rows.
 */
export interface CountedInstances {
  steps: string[];
  removalsToLookUp: { elementInstances: Removal[]; jobs: Removal[]; subscriptions: Removal[] };
}

/**
 * A scope chain sends a value of at most this much JSON text, and this much in
 * all (innermost scope first); the rest by name, as umlauf_load does
 * (migrations/004). The limits only need to keep a step's answer small: the
 * engine loads whatever is named when it reads it.
 */
const smallValueLength = 2048;
const chainValuesLength = 16_384;

/** Answers the cache cannot give. */
const unknown = Symbol('unknown');

export class StepCache {
  private readonly instances = new Map<string, InstanceEntry>();
  private readonly instanceOfElement = new Map<string, string>();
  private readonly instanceOfTask = new Map<string, string>();
  /** Records held, over all instances (element instances, user tasks, scopes' variables). */
  private records = 0;
  /** Counts changes applied here; a load remembers its answers only for instances that did not change while it ran. */
  private epoch = 0;
  private readonly changedAt = new Map<string, number>();
  private readonly loadsSince = new Map<number, number>();
  private clearedAt = 0;

  /**
   * @param maxRecords when more are held, the least recently used instances are dropped
   * @param counted other servers write too: keep instances as of their step counters (see above)
   */
  constructor(private readonly maxRecords = 50_000, readonly counted = false) {}

  /** The answers to all the keys, or undefined when any of them is not known here. */
  answer(keys: LoadKey[]): Loaded[] | undefined {
    return this.answerCounted(keys)?.loaded;
  }

  /** Like answer, with the step counters the answers are as of (none when not counted). */
  answerCounted(keys: LoadKey[]): CountedAnswer | undefined {
    const loaded: Loaded[] = [];
    const stepSeqs = new Map<string, number>();
    for (const key of keys) {
      const instanceId = this.instanceOfKey(key);
      const entry = this.entryOf(instanceId);
      if (!entry || (this.counted && entry.stepSeq === undefined)) return undefined;
      const value = this.answerOne(key, entry);
      if (value === unknown) return undefined;
      if (entry.stepSeq !== undefined) stepSeqs.set(instanceId!, entry.stepSeq);
      loaded.push({ key, value });
    }
    return { loaded, stepSeqs };
  }

  /** Drops instances whose step counter moved on in the database: another server changed them. */
  dropOutdated(instanceIds: Iterable<string>): void {
    for (const instanceId of instanceIds) {
      this.changedAt.set(instanceId, ++this.epoch);
      this.drop(instanceId);
    }
  }

  /** Call before loading from the database; hand the result to rememberLoaded. */
  beginLoad(): number {
    this.loadsSince.set(this.epoch, (this.loadsSince.get(this.epoch) ?? 0) + 1);
    return this.epoch;
  }

  /**
   * Keeps what the database answered to a load that began at `since`, except
   * for instances that a commit changed meanwhile: the answer may predate it.
   * Pass no answers when the load failed. Counted, `stepSeqs` are the step
   * counters the answers were read with; what it read of other instances is
   * not kept, and what was known of an instance at another counter is dropped.
   */
  rememberLoaded(since: number, loaded: Loaded[], stepSeqs: StepSeqs = new Map()): void {
    const keep = (instanceId: string): boolean => {
      if (!this.unchangedSince(instanceId, since)) return false;
      if (!this.counted) return true;
      const stepSeq = stepSeqs.get(instanceId);
      if (stepSeq === undefined) return false;
      if (this.instances.get(instanceId)?.stepSeq !== stepSeq) this.drop(instanceId);
      this.entryFor(instanceId).stepSeq = stepSeq;
      return true;
    };
    for (const { key, value } of loaded) {
      if (!value) continue;
      if (key.kind === 'userTask') {
        const task = value as UserTaskRecord;
        if (keep(task.instanceId)) this.putUserTask(this.entryFor(task.instanceId), task);
      } else if (key.kind === 'instance') {
        const instance = value as InstanceRecord;
        if (keep(instance.id)) this.entryFor(instance.id).instance = instance;
      } else if (key.kind === 'scopeChain') {
        const chain = value as ScopeChain;
        if (chain.instance && keep(chain.instance.id)) this.rememberChain(chain.instance, chain);
      }
    }
    this.endLoad(since);
    this.trim();
  }

  /**
   * Applies a change set that has landed. Counted, `stepSeqs` are the step
   * counters the commit left: an instance known here as of the counter just
   * before is known as of the new one; any other was changed by someone else
   * in between as well, and is dropped.
   */
  rememberCommitted(changes: ChangeSet, stepSeqs: StepSeqs = new Map()): void {
    const touched = instancesOf(changes, this.instanceOfElement);
    for (const instanceId of touched) this.changedAt.set(instanceId, ++this.epoch);
    const applies = this.counted ? this.stepsFollowed(changes, touched, stepSeqs) : undefined;
    const mine = (instanceId: string): boolean => applies === undefined || applies.has(instanceId);
    for (const instance of changes.instances) if (mine(instance.id)) this.entryFor(instance.id).instance = instance;
    for (const removal of changes.elementInstances.remove) this.forgetElementInstance(removal.id);
    for (const record of changes.elementInstances.put) {
      if (!mine(record.instanceId)) continue;
      const entry = this.entryFor(record.instanceId);
      this.putElementInstance(entry, record);
      // A new element instance is a scope without variables so far; the change set's puts follow.
      if (record.rev === 1) this.setScopeVariables(entry, record.id, new Map());
    }
    for (const scopeId of changes.variables.removeScopes) {
      const entry = this.entryOf(this.instanceOfElement.get(scopeId));
      if (entry) this.deleteScopeVariables(entry, scopeId);
    }
    for (const record of changes.variables.put) {
      if (mine(record.instanceId)) this.entryOf(record.instanceId)?.scopeVariables.get(record.scopeId)?.set(record.name, knownVariable(record));
    }
    for (const task of changes.userTasks) if (mine(task.instanceId)) this.putUserTask(this.entryFor(task.instanceId), task);
    this.trim();
  }

  /**
   * The instances of a landed change set whose every change is known here:
   * each now has the counter after the one it was known as of, or was made by
   * this change set (at 0). The others are dropped.
   */
  private stepsFollowed(changes: ChangeSet, touched: Set<string>, stepSeqs: StepSeqs): Set<string> {
    const created = new Set(changes.instances.filter((instance) => instance.rev === 1).map((instance) => instance.id));
    const followed = new Set<string>();
    for (const instanceId of touched) {
      // A new instance starts at 0: its counter is raised by the changes that follow.
      const stepSeq = created.has(instanceId) ? 0 : stepSeqs.get(instanceId);
      const known = this.instances.get(instanceId);
      const follows = created.has(instanceId) ? !known : stepSeq !== undefined && known?.stepSeq === stepSeq - 1;
      if (!follows) {
        this.drop(instanceId);
        continue;
      }
      this.entryFor(instanceId).stepSeq = stepSeq;
      followed.add(instanceId);
    }
    return followed;
  }

  /**
   * The instances whose step counters a change set raises: those it writes
   * records of and those of the element instances it removes that are known
   * here (an element instance never moves to another instance). The database
   * reads the instance of each other removal from its row.
   */
  countedInstancesOf(changes: ChangeSet): CountedInstances {
    const unknownElements = changes.elementInstances.remove.filter((removal) => !this.instanceOfElement.has(removal.id));
    return {
      steps: [...instancesOf(changes, this.instanceOfElement)],
      removalsToLookUp: { elementInstances: unknownElements, jobs: changes.jobs.remove, subscriptions: changes.subscriptions.remove },
    };
  }

  /** Drops all that is known of the instances a change set touches: it did not land, or it is not known whether it did. */
  forget(changes: ChangeSet): void {
    for (const instanceId of instancesOf(changes, this.instanceOfElement)) {
      this.changedAt.set(instanceId, ++this.epoch);
      this.drop(instanceId);
    }
  }

  /** Drops everything, also what loads running now will answer. */
  clear(): void {
    this.instances.clear();
    this.instanceOfElement.clear();
    this.instanceOfTask.clear();
    this.records = 0;
    this.clearedAt = ++this.epoch;
  }

  /** Instances held (for tests and metrics). */
  get size(): number {
    return this.instances.size;
  }

  /** The instance a key's answer belongs to, if it is known here. */
  private instanceOfKey(key: LoadKey): string | undefined {
    switch (key.kind) {
      case 'userTask': return this.instanceOfTask.get(key.id);
      case 'instance': return key.id;
      case 'elementInstance': case 'scopeChain': return this.instanceOfElement.get(key.id);
      default: return undefined;
    }
  }

  private answerOne(key: LoadKey, entry: InstanceEntry): unknown {
    switch (key.kind) {
      case 'userTask': return entry.userTasks.get(key.id) ?? unknown;
      case 'instance': return entry.instance ?? unknown;
      case 'elementInstance': return entry.elementInstances.get(key.id) ?? unknown;
      case 'scopeChain': return this.scopeChain(entry, key.id, key.variables === true);
      default: return unknown;
    }
  }

  private scopeChain(entry: InstanceEntry, id: string, withVariables: boolean): ScopeChain | typeof unknown {
    if (!entry.instance) return unknown;
    const elementInstances: ElementInstanceRecord[] = [];
    for (let scopeId: string | null = id; scopeId !== null;) {
      const record = entry.elementInstances.get(scopeId);
      if (!record) return unknown;
      elementInstances.push(record);
      scopeId = record.scopeId;
    }
    const chain: ScopeChain = { elementInstances, instance: entry.instance };
    if (!withVariables) return chain;
    const variables = chainVariables(entry, elementInstances);
    if (!variables) return unknown;
    chain.variables = variables;
    return chain;
  }

  private rememberChain(instance: InstanceRecord, chain: ScopeChain): void {
    const entry = this.entryFor(instance.id);
    entry.instance = instance;
    for (const record of chain.elementInstances) this.putElementInstance(entry, record);
    if (!chain.variables) return;
    const scopes = new Map(chain.elementInstances.map((scope) => [scope.id, new Map<string, KnownVariable>()]));
    for (const record of chain.variables.small) scopes.get(record.scopeId)?.set(record.name, knownVariable(record));
    for (const large of chain.variables.large) scopes.get(large.scopeId)?.set(large.name, { large });
    for (const [scopeId, variables] of scopes) this.setScopeVariables(entry, scopeId, variables);
  }

  private unchangedSince(instanceId: string, since: number): boolean {
    return since >= this.clearedAt && (this.changedAt.get(instanceId) ?? 0) <= since;
  }

  /** Forgets changes no running load can still be told of. */
  private endLoad(since: number): void {
    const count = (this.loadsSince.get(since) ?? 1) - 1;
    if (count > 0) this.loadsSince.set(since, count);
    else this.loadsSince.delete(since);
    if (this.loadsSince.size === 0) {
      this.changedAt.clear();
      return;
    }
    const oldest = Math.min(...this.loadsSince.keys());
    for (const [instanceId, at] of this.changedAt) if (at <= oldest) this.changedAt.delete(instanceId);
  }

  private putUserTask(entry: InstanceEntry, task: UserTaskRecord): void {
    if (!entry.userTasks.has(task.id)) this.records += 1;
    entry.userTasks.set(task.id, task);
    this.instanceOfTask.set(task.id, task.instanceId);
  }

  private putElementInstance(entry: InstanceEntry, record: ElementInstanceRecord): void {
    if (!entry.elementInstances.has(record.id)) this.records += 1;
    entry.elementInstances.set(record.id, record);
    this.instanceOfElement.set(record.id, record.instanceId);
  }

  private setScopeVariables(entry: InstanceEntry, scopeId: string, variables: Map<string, KnownVariable>): void {
    if (!entry.scopeVariables.has(scopeId)) this.records += 1;
    entry.scopeVariables.set(scopeId, variables);
  }

  private deleteScopeVariables(entry: InstanceEntry, scopeId: string): void {
    if (entry.scopeVariables.delete(scopeId)) this.records -= 1;
  }

  private forgetElementInstance(id: string): void {
    const entry = this.entryOf(this.instanceOfElement.get(id));
    if (!entry) return;
    if (entry.elementInstances.delete(id)) this.records -= 1;
    this.deleteScopeVariables(entry, id);
    this.instanceOfElement.delete(id);
  }

  private entryOf(instanceId: string | undefined): InstanceEntry | undefined {
    return instanceId === undefined ? undefined : this.instances.get(instanceId);
  }

  /** The instance's entry, now the most recently used one. */
  private entryFor(instanceId: string): InstanceEntry {
    const entry = this.instances.get(instanceId) ?? { elementInstances: new Map(), scopeVariables: new Map(), userTasks: new Map() };
    this.instances.delete(instanceId);
    this.instances.set(instanceId, entry);
    return entry;
  }

  /** Drops the least recently used instances while too much is held. */
  private trim(): void {
    for (const instanceId of this.instances.keys()) {
      if (this.records <= this.maxRecords) return;
      this.drop(instanceId);
    }
  }

  private drop(instanceId: string): void {
    const entry = this.instances.get(instanceId);
    if (!entry) return;
    this.instances.delete(instanceId);
    for (const id of entry.elementInstances.keys()) this.instanceOfElement.delete(id);
    for (const id of entry.userTasks.keys()) this.instanceOfTask.delete(id);
    this.records -= entry.elementInstances.size + entry.userTasks.size + entry.scopeVariables.size;
  }
}

/** The variables of a chain's scopes, small ones whole, or undefined when a scope's variables are not all known. */
function chainVariables(entry: InstanceEntry, scopes: ElementInstanceRecord[]): ScopeChain['variables'] {
  const small: VariableRecord[] = [];
  const large: LargeVariable[] = [];
  let length = 0;
  for (const scope of scopes) {
    const known = entry.scopeVariables.get(scope.id);
    if (!known) return undefined;
    for (const name of [...known.keys()].sort()) {
      const variable = known.get(name)!;
      if ('large' in variable) {
        large.push(variable.large);
        continue;
      }
      length += jsonLength(variable.small.value);
      if (length <= chainValuesLength) small.push(variable.small);
      else large.push({ scopeId: scope.id, name });
    }
  }
  return { small, large };
}

/** The instances a change set writes to, with those of removed element instances known here. */
function instancesOf(changes: ChangeSet, instanceOfElement: Map<string, string>): Set<string> {
  const ids = new Set<string>();
  for (const instance of changes.instances) ids.add(instance.id);
  for (const record of changes.elementInstances.put) ids.add(record.instanceId);
  for (const removal of changes.elementInstances.remove) {
    const instanceId = instanceOfElement.get(removal.id);
    if (instanceId !== undefined) ids.add(instanceId);
  }
  for (const record of changes.variables.put) ids.add(record.instanceId);
  for (const task of changes.userTasks) ids.add(task.instanceId);
  for (const job of changes.jobs.put) if (job.instanceId) ids.add(job.instanceId);
  for (const subscription of changes.subscriptions.put) if (subscription.instanceId) ids.add(subscription.instanceId);
  for (const incident of changes.incidents) ids.add(incident.instanceId);
  for (const event of changes.history) ids.add(event.instanceId);
  return ids;
}

function jsonLength(value: unknown): number {
  return value === null || value === undefined ? 0 : JSON.stringify(value).length;
}

function knownVariable(record: VariableRecord): KnownVariable {
  return jsonLength(record.value) <= smallValueLength ? { small: record } : { large: { scopeId: record.scopeId, name: record.name } };
}
