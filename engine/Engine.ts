/**
 * The engine's facade and its only asynchronous part: it loads what a step
 * needs, runs the step (pure, synchronous), commits the change set, and then
 * performs the step's effects. Service handlers run here, between steps.
 */
import type {
  HistoryEvent, Incident, ProcessInstance, ServiceHandler, UserTask, UserTaskFilter, VariableRecord, Variables,
} from './types.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from './errors.js';
import type { Store } from './store/Store.js';
import type { Execution } from './runtime/Execution.js';
import { MemoryStore } from './store/MemoryStore.js';
import { Deployer, type DeploymentResult } from './Deployer.js';
import { StepRunner } from './StepRunner.js';
import { JobRunner } from './JobRunner.js';
import * as commands from './runtime/commands.js';
import * as operations from './runtime/operations.js';
import { processInstanceFromChanges, toProcessInstance, toUserTask } from './views.js';
import { describeValueProblems, variableValueProblems } from './variableValues.js';

export interface EngineOptions {
  store?: Store;
  clock?: () => Date;
  services?: Record<string, ServiceHandler>;
  /** Where new ids come from; random UUIDs by default. */
  newId?: () => string;
  /** How long to wait before retrying a failed service job (attempt counts from 1). */
  retryBackoff?: (attempt: number) => number;
  /** Names this engine in job claims (a random id by default). */
  runnerId?: string;
  /** How long a claimed job stays this engine's before another may take it over (default 5 minutes). */
  jobLockMilliseconds?: number;
  /**
   * Waits before a step that lost a race runs again (attempt counts from 1).
   * The engine has no timers of its own, so a host that shares its store
   * with other engines passes a short random pause to spread rivals apart.
   */
  pauseBeforeRetry?: (attempt: number) => Promise<void>;
}

export interface StartOptions {
  businessKey?: string;
  version?: number;
}

export class Engine {
  readonly store: Store;
  private readonly clock: () => Date;
  private readonly deployer: Deployer;
  private readonly steps: StepRunner;
  private readonly jobs: JobRunner;

  constructor(options: EngineOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    // The one place the real clock may enter: as the default of the injected clock.
    // eslint-disable-next-line no-restricted-syntax
    this.clock = options.clock ?? (() => new Date());
    const newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.deployer = new Deployer(this.store, this.clock, newId);
    this.steps = new StepRunner(this.store, this.clock, newId, this.deployer, (effect) => this.perform(effect), options.pauseBeforeRetry);
    this.jobs = new JobRunner(this.store, this.clock, this.steps, options.services ?? {}, options.retryBackoff ?? defaultBackoff, {
      owner: options.runnerId ?? newId(),
      lockMilliseconds: options.jobLockMilliseconds ?? 5 * 60_000,
    });
  }

  /** Registers (or replaces) the handler for a job type. */
  registerService(type: string, handler: ServiceHandler): void {
    this.jobs.register(type, handler);
  }

  deploy(xml: string): Promise<DeploymentResult> {
    return this.deployer.deploy(xml, this.steps);
  }

  async startProcess(processId: string, variables: Variables = {}, options: StartOptions = {}): Promise<ProcessInstance> {
    checkTexts({ processId, businessKey: options.businessKey });
    const input = plainVariables(variables);
    const { version, businessKey } = options;
    let start: (execution: Execution) => string;
    if (version === undefined) {
      // The latest version is looked up by the step itself, for a store to confirm it when the step commits.
      start = (execution) => commands.startLatest(execution, processId, input, businessKey);
    } else {
      const definition = await this.store.getDefinition(processId, version);
      if (!definition) throw new NotFoundError('process definition', `${processId}:${version}`);
      start = (execution) => commands.start(execution, definition.key, input, businessKey);
    }
    const step = await this.steps.runCommitted([], start);
    // The new instance is wholly in the step's change set, so reading it back would only cost round trips;
    // effects (a thrown message or signal) may have changed it since, and then it is read back.
    const view = step.hadEffects ? undefined : processInstanceFromChanges(step.result, step.changes);
    return view ?? this.getInstance(step.result);
  }

  async getInstance(instanceId: string): Promise<ProcessInstance> {
    checkTexts({ instanceId });
    const instance = await this.store.getInstance(instanceId);
    if (!instance) throw new NotFoundError('process instance', instanceId);
    const [variables, elements] = await Promise.all([this.store.listVariables(instanceId), this.store.listElementInstances(instanceId)]);
    return toProcessInstance(instance, variables, elements);
  }

  async listUserTasks(filter: UserTaskFilter = {}): Promise<UserTask[]> {
    checkTexts({ ...filter });
    const tasks = await this.store.listUserTasks(filter);
    const variables = await this.store.listVariablesOfScopes(tasks.filter((task) => task.state === 'open').map((task) => task.id));
    const byScope = new Map<string, VariableRecord[]>();
    for (const variable of variables) {
      const list = byScope.get(variable.scopeId);
      if (list) list.push(variable);
      else byScope.set(variable.scopeId, [variable]);
    }
    return tasks.map((task) => toUserTask(task, byScope.get(task.id) ?? []));
  }

  async getUserTask(taskId: string): Promise<UserTask> {
    checkTexts({ taskId });
    const task = await this.store.getUserTask(taskId);
    if (!task) throw new NotFoundError('user task', taskId);
    return toUserTask(task, task.state === 'open' ? await this.store.listVariables(task.id) : []);
  }

  async completeUserTask(taskId: string, variables: Variables = {}): Promise<void> {
    checkTexts({ taskId });
    const input = plainVariables(variables);
    await this.steps.run([{ kind: 'userTask', id: taskId }, { kind: 'elementInstance', id: taskId }], (execution) =>
      commands.completeUserTask(execution, taskId, input), { scopesOf: taskId, retryConflicts: true });
  }

  /** Correlates a message to every instance waiting for it (once each) and to message start events; NotFoundError when nothing waits. */
  async correlateMessage(name: string, correlationKey?: string, variables: Variables = {}): Promise<void> {
    checkTexts({ name, correlationKey });
    const input = plainVariables(variables);
    const correlated = await this.deliverMessage(name, correlationKey, input);
    if (correlated === 0) throw new NotFoundError('message subscription', correlationKey === undefined ? name : `${name} (${correlationKey})`);
  }

  private async deliverMessage(name: string, correlationKey: string | undefined, variables: Variables): Promise<number> {
    const subscriptions = await this.store.findMessageSubscriptions(name, correlationKey);
    const seenInstances = new Set<string>();
    let delivered = 0;
    for (const subscription of subscriptions) {
      const instanceKey = subscription.instanceId ?? `start:${subscription.id}`;
      if (seenInstances.has(instanceKey)) continue;
      if (await this.steps.deliver(subscription.id, variables)) {
        seenInstances.add(instanceKey);
        delivered += 1;
      }
    }
    return delivered;
  }

  async broadcastSignal(name: string, variables: Variables = {}): Promise<void> {
    checkTexts({ name });
    const input = plainVariables(variables);
    for (const subscription of await this.store.findSignalSubscriptions(name)) await this.steps.deliver(subscription.id, input);
  }

  /** Fires the timers and runs the service jobs that are due at clock(); returns how many ran. */
  runDueJobs(): Promise<number> {
    return this.jobs.runDue();
  }

  async history(instanceId: string): Promise<HistoryEvent[]> {
    checkTexts({ instanceId });
    if (!(await this.store.getInstance(instanceId))) throw new NotFoundError('process instance', instanceId);
    return this.store.listHistory(instanceId);
  }

  async listIncidents(instanceId?: string): Promise<Incident[]> {
    checkTexts({ instanceId });
    return (await this.store.listIncidents(instanceId)).map(({ rev: _rev, phase: _phase, ...incident }) => incident);
  }

  /** Resolves an incident and runs again what failed (the job, the activation or the completion). */
  async retryIncident(incidentId: string): Promise<void> {
    checkTexts({ incidentId });
    const incident = await this.store.getIncident(incidentId);
    if (!incident) throw new NotFoundError('incident', incidentId);
    if (incident.state !== 'open') throw new ConflictError(`incident '${incidentId}' is already resolved`, incidentId);
    await this.steps.run([{ kind: 'incident', id: incidentId }], (execution) => commands.retryIncident(execution, incidentId),
      { scopesOf: incident.elementInstanceId });
  }

  /** Terminates a running instance and what it started; refused (ConflictError) for one a call activity started. */
  async cancelInstance(instanceId: string): Promise<void> {
    checkTexts({ instanceId });
    await this.steps.run([{ kind: 'instance', id: instanceId }, { kind: 'elementInstance', id: instanceId }],
      (execution) => operations.cancelInstance(execution, instanceId), { retryConflicts: true });
  }

  /** Sets or (null) clears the assignee of an open user task; `expectedAssignee` (null: unassigned) makes it a claim. */
  async assignUserTask(taskId: string, assignee: string | null, options: operations.AssignUserTaskOptions = {}): Promise<UserTask> {
    checkTexts({ taskId, assignee, expectedAssignee: options.expectedAssignee });
    await this.steps.run([{ kind: 'userTask', id: taskId }],
      (execution) => operations.assignUserTask(execution, taskId, assignee, options), { retryConflicts: true });
    return this.getUserTask(taskId);
  }

  /** The parsed form-js schema of the user task's embedded form (zeebe:userTaskForm); undefined when it has none. */
  async getUserTaskForm(taskId: string): Promise<unknown> {
    checkTexts({ taskId });
    const task = await this.store.getUserTask(taskId);
    if (!task) throw new NotFoundError('user task', taskId);
    const instance = await this.store.getInstance(task.instanceId);
    return instance ? this.deployer.embeddedForm(instance.definitionKey, task.formKey) : undefined;
  }

  private async perform(effect: commands.HostEffect): Promise<void> {
    if (effect.kind === 'broadcastSignal') await this.broadcastSignal(effect.name, effect.variables);
    else await this.deliverMessage(effect.name, effect.correlationKey, effect.variables);
  }
}

function defaultBackoff(attempt: number): number {
  return Math.min(5_000 * 2 ** (attempt - 1), 300_000);
}

/**
 * The text arguments of a call (ids, names, keys, an assignee) hold what the
 * store can keep and look up, as variable values do: on PostgreSQL, a U+0000
 * would otherwise fail at the database with its own error, where the memory
 * store would simply find nothing. Absent ones (undefined, null) are fine.
 */
function checkTexts(texts: Record<string, unknown>): void {
  const problems = Object.entries(texts).flatMap(([name, value]) => (typeof value === 'string' ? variableValueProblems(value, name) : []));
  if (problems.length > 0) throw new InvalidArgumentError(`the arguments cannot be used as given: ${describeValueProblems(problems)}`);
}

/** Variables must be a JSON object; they are copied so the caller's object stays theirs. */
function plainVariables(variables: Variables): Variables {
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
    throw new InvalidArgumentError('variables must be a JSON object');
  }
  const problems = variableValueProblems(variables, 'variables');
  if (problems.length > 0) throw new InvalidArgumentError(`variables cannot be stored as given: ${describeValueProblems(problems)}`);
  try {
    return JSON.parse(JSON.stringify(variables)) as Variables;
  } catch (error) {
    throw new InvalidArgumentError(`variables must be JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}
