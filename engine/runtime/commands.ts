/** The commands a step can carry out, each from outside the engine: start, complete, deliver, fire, retry. */
import type { JobRecord, SubscriptionRecord, Variables } from '../types.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Effect, Execution } from './Execution.js';
import { startInstance } from './start.js';
import { activateElement, completeElement } from './lifecycle.js';
import { deliver as deliverToSubscription, fireTimer } from './events.js';
import { detach, closeAttachments, timerSchedule } from './triggers.js';
import { raiseIncident, resolveIncidentOf } from './incidents.js';
import { throwError } from './throwing.js';
import { firstDueDate } from '../model/timer.js';

export type HostEffect = Effect;

export function start(execution: Execution, definitionKey: string, variables: Variables, businessKey?: string): string {
  return startInstance(execution, { definitionKey, variables, ...(businessKey !== undefined ? { businessKey } : {}) }).id;
}

/** Starts the latest version of a process, as the step finds it (so a store can confirm it when the step commits). */
export function startLatest(execution: Execution, processId: string, variables: Variables, businessKey?: string): string {
  const latest = execution.models.latest(processId);
  if (!latest) throw new NotFoundError('process definition', processId);
  return start(execution, latest.key, variables, businessKey);
}

export function completeUserTask(execution: Execution, taskId: string, variables: Variables): void {
  const task = execution.state.userTask(taskId);
  if (!task) throw new NotFoundError('user task', taskId);
  if (task.state !== 'open') throw new ConflictError(`user task '${taskId}' is ${task.state}, not open`, taskId);
  const record = execution.state.elementInstance(task.elementInstanceId);
  if (!record) throw new ConflictError(`user task '${taskId}' no longer waits`, taskId);
  if (record.incidentId) throw new ConflictError(`user task '${taskId}' waits on an incident`, taskId);
  execution.state.userTasks.put({ ...task, state: 'completed', completedAt: execution.at });
  completeElement(execution, record, variables);
}

/** Delivers a message or signal to one subscription; false when it is gone already. */
export function deliver(execution: Execution, subscriptionId: string, variables: Variables): boolean {
  const subscription = execution.state.subscription(subscriptionId);
  if (!subscription) return false;
  deliverToSubscription(execution, subscription, variables);
  return true;
}

export function fireTimerJob(execution: Execution, jobId: string): boolean {
  const job = execution.state.job(jobId);
  if (!job || job.kind !== 'timer') return false;
  fireTimer(execution, job);
  return true;
}

export function completeJob(execution: Execution, jobId: string, variables: Variables): boolean {
  const { job, record } = jobAndOwner(execution, jobId);
  if (!job || !record) return false;
  detach(execution, record, job.id);
  completeElement(execution, record, variables);
  return true;
}

/** A handler failed: retry after the backoff, or, with no retries left, raise an incident. */
export function failJob(execution: Execution, jobId: string, message: string, backoffMs: (failures: number) => number): void {
  const { job, record } = jobAndOwner(execution, jobId);
  if (!job || !record) return;
  const failures = (job.failures ?? 0) + 1;
  const retries = Math.max(0, job.retries - 1);
  const next: JobRecord = { ...job, retries, failures, lastError: message };
  if (retries > 0) {
    next.dueAt = new Date(execution.now.getTime() + backoffMs(failures)).toISOString();
  } else {
    next.incidentId = raiseIncident(execution, record, 'job_failed', `the job '${job.type}' failed: ${message}`, 'job', job.id).id;
  }
  execution.state.jobs.put(next);
}

export function throwJobError(execution: Execution, jobId: string, code: string, message: string, variables: Variables): void {
  const { job, record } = jobAndOwner(execution, jobId);
  if (!job || !record) return;
  detach(execution, record, job.id);
  throwError(execution, record, code, message, variables);
}

function jobAndOwner(execution: Execution, jobId: string) {
  const job = execution.state.job(jobId);
  const record = job?.elementInstanceId ? execution.state.elementInstance(job.elementInstanceId) : undefined;
  return { job, record };
}

export function retryIncident(execution: Execution, incidentId: string): void {
  const incident = execution.state.incident(incidentId);
  if (!incident) throw new NotFoundError('incident', incidentId);
  if (incident.state !== 'open') throw new ConflictError(`incident '${incidentId}' is already resolved`, incidentId);
  const record = execution.state.elementInstance(incident.elementInstanceId);
  if (!record) throw new ConflictError(`the element of incident '${incidentId}' is gone`, incidentId);
  resolveIncidentOf(execution, record);
  if (incident.phase === 'job') return retryJob(execution, incident.jobId);
  if (incident.phase === 'complete') return completeElement(execution, record);
  if (record.arrivals) return execution.behaviorOf('inclusiveGateway').scopeChanged?.(execution, execution.elementInstance(record.scopeId ?? ''));
  closeAttachments(execution, record);
  activateElement(execution, record, execution.nodeOf(record));
}

function retryJob(execution: Execution, jobId: string | undefined): void {
  const job = jobId ? execution.state.job(jobId) : undefined;
  if (!job) return;
  const { incidentId: _incidentId, ...rest } = job;
  execution.state.jobs.put({ ...rest, retries: Math.max(job.retries, 1), dueAt: execution.at });
}

/** A new version's timer, message and signal start events replace those of earlier versions. */
export function replaceStartTriggers(execution: Execution, definitionKey: string, previous: { jobs: JobRecord[]; subscriptions: SubscriptionRecord[] }): void {
  for (const job of previous.jobs) if (execution.state.job(job.id)) execution.state.jobs.remove(job.id);
  for (const subscription of previous.subscriptions) {
    if (execution.state.subscription(subscription.id)) execution.state.subscriptions.remove(subscription.id);
  }
  const model = execution.models.model(definitionKey);
  for (const startId of model.nodes[model.processId]?.scope?.eventStartEventIds ?? []) {
    const start = model.nodes[startId];
    const event = start?.event;
    if (!start || !event) continue;
    if (event.kind === 'timer') {
      const schedule = timerSchedule(execution, '', start);
      execution.state.jobs.put({
        id: execution.newId(), kind: 'timer', purpose: 'startEvent', elementId: start.id, definitionKey,
        dueAt: firstDueDate(schedule, execution.now).toISOString(), retries: 0, firedCount: 0, schedule, rev: 0,
      });
    }
    if (event.kind === 'message' || event.kind === 'signal') {
      execution.state.subscriptions.put({
        id: execution.newId(), kind: event.kind, purpose: 'startEvent', name: event.name.text, elementId: start.id, definitionKey, rev: 0,
      });
    }
  }
}
