/**
 * The Store port: where definitions, instances and their state live. The
 * engine reads through load() and writes one ChangeSet per step through
 * commit(); every implementation must pass test/engine/store/contract.ts.
 */
import type {
  DefinitionRecord, DeploymentRecord, ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord,
  JobRecord, MultiInstanceOutputRecord, SubscriptionRecord, UserTaskFilter, UserTaskRecord, VariableRecord,
} from '../types.js';

/** What a step may ask the store for. */
export type LoadKey =
  | { kind: 'instance'; id: string }
  | { kind: 'elementInstance'; id: string }
  /** The active element instances directly inside a scope. */
  | { kind: 'children'; scopeId: string }
  /** The waiting join (parallel or inclusive gateway) of a scope, if any. */
  | { kind: 'join'; scopeId: string; elementId: string }
  | { kind: 'variable'; scopeId: string; name: string }
  | { kind: 'scopeVariables'; scopeId: string }
  | { kind: 'userTask'; id: string }
  | { kind: 'job'; id: string }
  | { kind: 'subscription'; id: string }
  | { kind: 'incident'; id: string }
  | { kind: 'multiInstanceOutputs'; bodyId: string }
  /** An element instance, every scope around it up to the process, and the instance: a ScopeChain. */
  | { kind: 'scopeChain'; id: string;
    /** Send the chain's variables along (ChainVariables), sparing the step a second load; a store may ignore this. */
    variables?: boolean };

/** The answer to a scopeChain key: innermost first; empty when the element instance is gone. */
export interface ScopeChain {
  elementInstances: ElementInstanceRecord[];
  instance?: InstanceRecord;
  variables?: ChainVariables;
}

/**
 * The variables of every scope in a chain: the small ones whole, the others
 * (too large to send on every step) by name only, to be loaded when read.
 */
export interface ChainVariables {
  small: VariableRecord[];
  large: { scopeId: string; name: string }[];
}

export type StoreLoadKey = LoadKey;

/** The answer to one LoadKey: a record, undefined when absent, or a list. */
export interface Loaded {
  key: LoadKey;
  value: unknown;
}

/**
 * One run of a step, the same object for its loads and its commit. A store
 * that answers loads from memory, where another process may have written
 * since, can then confirm those answers once, when the run commits (or in
 * confirmReads), instead of before answering each load.
 */
export type StepRun = object;

/** A versioned record is inserted when rev is 1 and updated when the stored rev is rev - 1. */
export interface Removal {
  id: string;
  rev: number;
}

export interface ChangeSet {
  instances: InstanceRecord[];
  elementInstances: { put: ElementInstanceRecord[]; remove: Removal[] };
  variables: { put: VariableRecord[]; removeScopes: string[] };
  userTasks: UserTaskRecord[];
  jobs: { put: JobRecord[]; remove: Removal[] };
  subscriptions: { put: SubscriptionRecord[]; remove: Removal[] };
  incidents: IncidentRecord[];
  multiInstanceOutputs: { put: MultiInstanceOutputRecord[]; removeBodies: string[] };
  history: HistoryEvent[];
}

/** Who claims due jobs, until when, and which service job types it can run (timers anyone can fire). */
export interface JobClaim {
  owner: string;
  until: string;
  types: string[];
}

export interface NewDefinition {
  processId: string;
  name?: string;
}

export interface Store {
  /** Stores the XML and gives each process its next version, atomically. */
  saveDeployment(deployment: DeploymentRecord, processes: NewDefinition[]): Promise<DefinitionRecord[]>;
  /**
   * The given version, or the latest one when version is omitted. `run`
   * names the step run that starts the latest version: a store that answers
   * it from memory, where another process may have deployed since, confirms
   * it when the run commits (or in confirmReads), as it does a load's answers.
   */
  getDefinition(processId: string, version?: number, run?: StepRun): Promise<DefinitionRecord | undefined>;
  getDefinitionByKey(key: string): Promise<DefinitionRecord | undefined>;
  listDefinitions(): Promise<DefinitionRecord[]>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;

  /**
   * Reads what a step needs; absent records come back as undefined. `run`
   * names the run of the step the keys are for (see StepRun).
   */
  load(keys: LoadKey[], run?: StepRun): Promise<Loaded[]>;
  /**
   * Applies a change set atomically. Throws ConflictError, and applies nothing,
   * when a versioned record was changed or removed by someone else meanwhile,
   * or when what the store answered the run's loads was no longer current.
   */
  commit(changes: ChangeSet, run?: StepRun): Promise<void>;
  /**
   * Whether what the store answered a run's loads is still current, for a run
   * that ends without a commit (its command failed). A store that confirms
   * each answer when it gives it need not have this.
   */
  confirmReads?(run: StepRun): Promise<boolean>;
  /**
   * True when two steps of one instance that run at once always conflict,
   * whatever rows they write (a step counter per instance). The engine then
   * lines up every step of an instance behind one that lost a race, rather
   * than only those that lost one too (see InstanceTurns).
   */
  readonly stepsOfAnInstanceConflict?: boolean;

  getInstance(id: string): Promise<InstanceRecord | undefined>;
  listElementInstances(instanceId: string): Promise<ElementInstanceRecord[]>;
  listVariables(scopeId: string): Promise<VariableRecord[]>;
  /** The variables of many scopes in one go (an inbox page of user tasks). */
  listVariablesOfScopes(scopeIds: string[]): Promise<VariableRecord[]>;
  getUserTask(id: string): Promise<UserTaskRecord | undefined>;
  listUserTasks(filter: UserTaskFilter): Promise<UserTaskRecord[]>;
  /** Jobs whose due time has come, not waiting on an incident, earliest first. */
  findDueJobs(now: string, limit: number): Promise<JobRecord[]>;
  /**
   * Claims due jobs for one runner until `claim.until`: timers, and service
   * jobs of the given types. A claimed job is not handed to another runner
   * until its claim runs out or a step writes it. Earliest first.
   */
  claimDueJobs(now: string, limit: number, claim: JobClaim): Promise<JobRecord[]>;
  findMessageSubscriptions(name: string, correlationKey: string | undefined): Promise<SubscriptionRecord[]>;
  findSignalSubscriptions(name: string): Promise<SubscriptionRecord[]>;
  /** Start event subscriptions and timers of a process (all versions), to replace them on a new deployment. */
  findStartEventTriggers(processId: string): Promise<{ jobs: JobRecord[]; subscriptions: SubscriptionRecord[] }>;
  listHistory(instanceId: string): Promise<HistoryEvent[]>;
  listIncidents(instanceId?: string): Promise<IncidentRecord[]>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
}

/** A process's new definition record; its key is `processId:version`. */
export function definitionRecord(deployment: DeploymentRecord, process: NewDefinition, version: number): DefinitionRecord {
  return {
    key: `${process.processId}:${version}`,
    processId: process.processId,
    version,
    deploymentId: deployment.id,
    deployedAt: deployment.deployedAt,
    ...(process.name !== undefined ? { name: process.name } : {}),
  };
}

export function emptyChangeSet(): ChangeSet {
  return {
    instances: [],
    elementInstances: { put: [], remove: [] },
    variables: { put: [], removeScopes: [] },
    userTasks: [],
    jobs: { put: [], remove: [] },
    subscriptions: { put: [], remove: [] },
    incidents: [],
    multiInstanceOutputs: { put: [], removeBodies: [] },
    history: [],
  };
}

export function loadKeyString(key: LoadKey): string {
  switch (key.kind) {
    case 'children': return `children\u0000${key.scopeId}`;
    case 'join': return `join\u0000${key.scopeId}\u0000${key.elementId}`;
    case 'variable': return `variable\u0000${key.scopeId}\u0000${key.name}`;
    case 'scopeVariables': return `scopeVariables\u0000${key.scopeId}`;
    case 'multiInstanceOutputs': return `multiInstanceOutputs\u0000${key.bodyId}`;
    default: return `${key.kind}\u0000${key.id}`;
  }
}
