/**
 * The in-memory Store: maps and a few indexes, for tests, benchmarks and
 * embedding. Commits check revs first and then apply everything, so a change
 * set lands whole or not at all.
 */
import type {
  DefinitionRecord, DeploymentRecord, ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord, JobRecord,
  MultiInstanceOutputRecord, SubscriptionRecord, UserTaskFilter, UserTaskRecord, VariableRecord,
} from '../types.js';
import { ConflictError } from '../errors.js';
import {
  definitionRecord, type ChangeSet, type JobClaim, type Loaded, type LoadKey, type NewDefinition, type Removal, type ScopeChain, type Store,
} from './Store.js';
import { Index } from './Index.js';

interface VersionedRecord {
  id: string;
  rev: number;
}

export class MemoryStore implements Store {
  private readonly deployments = new Map<string, DeploymentRecord>();
  private readonly definitions = new Map<string, DefinitionRecord>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly elementInstances = new Map<string, ElementInstanceRecord>();
  private readonly childrenOf = new Index();
  private readonly variables = new Map<string, Map<string, VariableRecord>>();
  private readonly userTasks = new Map<string, UserTaskRecord>();
  private readonly tasksBy = { instance: new Index(), assignee: new Index(), group: new Index(), user: new Index() };
  private readonly jobs = new Map<string, JobRecord>();
  /** Job claims by job id; a step that writes or removes a job ends its claim. */
  private readonly claims = new Map<string, { owner: string; until: string }>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly subscriptionsByName = new Index();
  private readonly incidents = new Map<string, IncidentRecord>();
  private readonly outputs = new Map<string, Map<number, MultiInstanceOutputRecord>>();
  private readonly history = new Map<string, HistoryEvent[]>();

  async saveDeployment(deployment: DeploymentRecord, processes: NewDefinition[]): Promise<DefinitionRecord[]> {
    this.deployments.set(deployment.id, deployment);
    return processes.map((process) => {
      const version = (this.latest(process.processId)?.version ?? 0) + 1;
      const definition = definitionRecord(deployment, process, version);
      this.definitions.set(definition.key, definition);
      return definition;
    });
  }

  private latest(processId: string): DefinitionRecord | undefined {
    let latest: DefinitionRecord | undefined;
    for (const definition of this.definitions.values()) {
      if (definition.processId === processId && (!latest || definition.version > latest.version)) latest = definition;
    }
    return latest;
  }

  async getDefinition(processId: string, version?: number): Promise<DefinitionRecord | undefined> {
    return version === undefined ? this.latest(processId) : this.definitions.get(`${processId}:${version}`);
  }

  async getDefinitionByKey(key: string): Promise<DefinitionRecord | undefined> {
    return this.definitions.get(key);
  }

  async listDefinitions(): Promise<DefinitionRecord[]> {
    return [...this.definitions.values()];
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.deployments.get(id);
  }

  async load(keys: LoadKey[]): Promise<Loaded[]> {
    return keys.map((key) => ({ key, value: this.answer(key) }));
  }

  private answer(key: LoadKey): unknown {
    switch (key.kind) {
      case 'instance': return this.instances.get(key.id);
      case 'elementInstance': return this.elementInstances.get(key.id);
      case 'children': return this.childrenOf.ids(key.scopeId).map((id) => this.elementInstances.get(id));
      case 'join': return this.childrenOf.ids(key.scopeId)
        .map((id) => this.elementInstances.get(id))
        .find((record) => record?.elementId === key.elementId && record.arrivals);
      case 'variable': return this.variables.get(key.scopeId)?.get(key.name);
      case 'scopeVariables': return [...(this.variables.get(key.scopeId)?.values() ?? [])];
      case 'userTask': return this.userTasks.get(key.id);
      case 'job': return this.jobs.get(key.id);
      case 'subscription': return this.subscriptions.get(key.id);
      case 'incident': return this.incidents.get(key.id);
      case 'multiInstanceOutputs': return [...(this.outputs.get(key.bodyId)?.values() ?? [])];
      case 'scopeChain': return this.scopeChain(key.id);
    }
  }

  private scopeChain(id: string): ScopeChain {
    const elementInstances: ElementInstanceRecord[] = [];
    for (let record = this.elementInstances.get(id); record; record = record.scopeId ? this.elementInstances.get(record.scopeId) : undefined) {
      elementInstances.push(record);
    }
    const instanceId = elementInstances[0]?.instanceId;
    const instance = instanceId === undefined ? undefined : this.instances.get(instanceId);
    return instance ? { elementInstances, instance } : { elementInstances };
  }

  async commit(changes: ChangeSet): Promise<void> {
    this.checkRevs(changes);
    for (const record of changes.instances) this.instances.set(record.id, record);
    this.applyElementInstances(changes.elementInstances.put, changes.elementInstances.remove);
    this.applyVariables(changes.variables);
    for (const record of changes.userTasks) this.putUserTask(record);
    for (const removal of changes.jobs.remove) this.jobs.delete(removal.id);
    for (const record of changes.jobs.put) this.jobs.set(record.id, record);
    for (const job of [...changes.jobs.remove, ...changes.jobs.put]) this.claims.delete(job.id);
    this.applySubscriptions(changes.subscriptions.put, changes.subscriptions.remove);
    for (const record of changes.incidents) this.incidents.set(record.id, record);
    for (const bodyId of changes.multiInstanceOutputs.removeBodies) this.outputs.delete(bodyId);
    for (const record of changes.multiInstanceOutputs.put) this.putOutput(record);
    for (const event of changes.history) this.appendHistory(event);
  }

  private checkRevs(changes: ChangeSet): void {
    checkPuts(this.instances, changes.instances, 'instance');
    checkPuts(this.elementInstances, changes.elementInstances.put, 'element instance');
    checkRemovals(this.elementInstances, changes.elementInstances.remove, 'element instance');
    checkPuts(this.userTasks, changes.userTasks, 'user task');
    checkPuts(this.jobs, changes.jobs.put, 'job');
    checkRemovals(this.jobs, changes.jobs.remove, 'job');
    checkPuts(this.subscriptions, changes.subscriptions.put, 'subscription');
    checkRemovals(this.subscriptions, changes.subscriptions.remove, 'subscription');
    checkPuts(this.incidents, changes.incidents, 'incident');
  }

  private applyElementInstances(puts: ElementInstanceRecord[], removals: Removal[]): void {
    for (const removal of removals) {
      const record = this.elementInstances.get(removal.id);
      if (record?.scopeId) this.childrenOf.remove(record.scopeId, record.id);
      this.elementInstances.delete(removal.id);
    }
    for (const record of puts) {
      this.elementInstances.set(record.id, record);
      if (record.scopeId) this.childrenOf.add(record.scopeId, record.id);
    }
  }

  private applyVariables(changes: ChangeSet['variables']): void {
    for (const scopeId of changes.removeScopes) this.variables.delete(scopeId);
    for (const record of changes.put) {
      let scope = this.variables.get(record.scopeId);
      if (!scope) this.variables.set(record.scopeId, (scope = new Map()));
      scope.set(record.name, record);
    }
  }

  private putUserTask(record: UserTaskRecord): void {
    const previous = this.userTasks.get(record.id);
    if (previous) this.indexUserTask(previous, 'remove');
    this.userTasks.set(record.id, record);
    this.indexUserTask(record, 'add');
  }

  private indexUserTask(record: UserTaskRecord, change: 'add' | 'remove'): void {
    this.tasksBy.instance[change](record.instanceId, record.id);
    if (record.assignee) this.tasksBy.assignee[change](record.assignee, record.id);
    for (const group of record.candidateGroups) this.tasksBy.group[change](group, record.id);
    for (const user of record.candidateUsers) this.tasksBy.user[change](user, record.id);
  }

  private applySubscriptions(puts: SubscriptionRecord[], removals: Removal[]): void {
    for (const removal of removals) {
      const record = this.subscriptions.get(removal.id);
      if (record) this.subscriptionsByName.remove(`${record.kind}:${record.name}`, record.id);
      this.subscriptions.delete(removal.id);
    }
    for (const record of puts) {
      this.subscriptions.set(record.id, record);
      this.subscriptionsByName.add(`${record.kind}:${record.name}`, record.id);
    }
  }

  private putOutput(record: MultiInstanceOutputRecord): void {
    let body = this.outputs.get(record.bodyId);
    if (!body) this.outputs.set(record.bodyId, (body = new Map()));
    body.set(record.index, record);
  }

  private appendHistory(event: HistoryEvent): void {
    let events = this.history.get(event.instanceId);
    if (!events) this.history.set(event.instanceId, (events = []));
    events.push(event);
  }

  async getInstance(id: string): Promise<InstanceRecord | undefined> {
    return this.instances.get(id);
  }

  async listElementInstances(instanceId: string): Promise<ElementInstanceRecord[]> {
    const result: ElementInstanceRecord[] = [];
    const pending = [instanceId];
    while (pending.length > 0) {
      for (const id of this.childrenOf.ids(pending.pop() as string)) {
        const record = this.elementInstances.get(id);
        if (record) result.push(record);
        pending.push(id);
      }
    }
    return result;
  }

  async listVariables(scopeId: string): Promise<VariableRecord[]> {
    return [...(this.variables.get(scopeId)?.values() ?? [])];
  }

  async listVariablesOfScopes(scopeIds: string[]): Promise<VariableRecord[]> {
    return scopeIds.flatMap((scopeId) => [...(this.variables.get(scopeId)?.values() ?? [])]);
  }

  async getUserTask(id: string): Promise<UserTaskRecord | undefined> {
    return this.userTasks.get(id);
  }

  async listUserTasks(filter: UserTaskFilter): Promise<UserTaskRecord[]> {
    const candidates = this.narrowestTaskIndex(filter);
    const ids = candidates ?? this.userTasks.keys();
    const result: UserTaskRecord[] = [];
    for (const id of ids) {
      const task = this.userTasks.get(id);
      if (task && matchesFilter(task, filter)) result.push(task);
    }
    return result.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  private narrowestTaskIndex(filter: UserTaskFilter): string[] | undefined {
    const options = [
      filter.instanceId !== undefined ? this.tasksBy.instance.ids(filter.instanceId) : undefined,
      filter.assignee !== undefined ? this.tasksBy.assignee.ids(filter.assignee) : undefined,
      filter.candidateGroup !== undefined ? this.tasksBy.group.ids(filter.candidateGroup) : undefined,
      filter.candidateUser !== undefined ? this.tasksBy.user.ids(filter.candidateUser) : undefined,
    ].filter((ids): ids is string[] => ids !== undefined);
    return options.sort((a, b) => a.length - b.length)[0];
  }

  async findDueJobs(now: string, limit: number): Promise<JobRecord[]> {
    const due = [...this.jobs.values()].filter((job) => job.dueAt <= now && !job.incidentId);
    return due.sort((a, b) => a.dueAt.localeCompare(b.dueAt)).slice(0, limit);
  }

  async claimDueJobs(now: string, limit: number, claim: JobClaim): Promise<JobRecord[]> {
    const types = new Set(claim.types);
    const claimable = (job: JobRecord) => (job.kind === 'timer' || (job.type !== undefined && types.has(job.type)))
      && (this.claims.get(job.id)?.until ?? '') <= now;
    const due = (await this.findDueJobs(now, Number.MAX_SAFE_INTEGER)).filter(claimable).slice(0, limit);
    for (const job of due) this.claims.set(job.id, { owner: claim.owner, until: claim.until });
    return due;
  }

  async findMessageSubscriptions(name: string, correlationKey: string | undefined): Promise<SubscriptionRecord[]> {
    return this.subscriptionsNamed('message', name)
      .filter((record) => record.purpose === 'startEvent' || record.correlationKey === correlationKey);
  }

  async findSignalSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    return this.subscriptionsNamed('signal', name);
  }

  private subscriptionsNamed(kind: string, name: string): SubscriptionRecord[] {
    return this.subscriptionsByName.ids(`${kind}:${name}`)
      .map((id) => this.subscriptions.get(id))
      .filter((record): record is SubscriptionRecord => !!record);
  }

  async findStartEventTriggers(processId: string): Promise<{ jobs: JobRecord[]; subscriptions: SubscriptionRecord[] }> {
    const ofProcess = (record: { purpose: string; definitionKey: string }) =>
      record.purpose === 'startEvent' && record.definitionKey.startsWith(`${processId}:`);
    return { jobs: [...this.jobs.values()].filter(ofProcess), subscriptions: [...this.subscriptions.values()].filter(ofProcess) };
  }

  async listHistory(instanceId: string): Promise<HistoryEvent[]> {
    return [...(this.history.get(instanceId) ?? [])];
  }

  async listIncidents(instanceId?: string): Promise<IncidentRecord[]> {
    return [...this.incidents.values()].filter((incident) => instanceId === undefined || incident.instanceId === instanceId);
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    return this.incidents.get(id);
  }
}

function matchesFilter(task: UserTaskRecord, filter: UserTaskFilter): boolean {
  return (filter.instanceId === undefined || task.instanceId === filter.instanceId)
    && (filter.assignee === undefined || task.assignee === filter.assignee)
    && (filter.candidateGroup === undefined || task.candidateGroups.includes(filter.candidateGroup))
    && (filter.candidateUser === undefined || task.candidateUsers.includes(filter.candidateUser))
    && (filter.state === undefined || task.state === filter.state);
}

function checkPuts(table: Map<string, VersionedRecord>, records: VersionedRecord[], what: string): void {
  for (const record of records) {
    const stored = table.get(record.id);
    const fits = record.rev === 1 ? !stored : stored?.rev === record.rev - 1;
    if (!fits) throw new ConflictError(`the ${what} '${record.id}' was changed by someone else`, record.id);
  }
}

function checkRemovals(table: Map<string, VersionedRecord>, removals: Removal[], what: string): void {
  for (const removal of removals) {
    if (table.get(removal.id)?.rev !== removal.rev) throw new ConflictError(`the ${what} '${removal.id}' was changed by someone else`, removal.id);
  }
}
