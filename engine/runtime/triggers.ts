/**
 * Opening and closing what an element waits for: timer jobs and message or
 * signal subscriptions. Each belongs to an element instance (listed in its
 * `attached`) and goes away with it.
 */
import type { ElementInstanceRecord, JobPurpose, JobRecord, SubscriptionRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import { firstDueDate, parseTimer, TimerExpressionError, type TimerSchedule } from '../model/timer.js';
import type { Execution } from './Execution.js';
import { ExpressionFailure } from './failures.js';
import { evaluateExplained, evaluateText } from './variables.js';

export function openBoundaryEvents(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void {
  const model = execution.modelOf(record);
  for (const id of node.boundaryEventIds) {
    const boundary = model.nodes[id];
    if (boundary) openTrigger(execution, record, boundary, 'boundary');
  }
}

/** The start events of the event sub-processes of a scope start listening when the scope starts. */
export function openEventSubProcessTriggers(execution: Execution, scope: ElementInstanceRecord, scopeNode: FlowNode): void {
  const model = execution.modelOf(scope);
  for (const subProcessId of scopeNode.scope?.eventSubProcessIds ?? []) {
    const startId = model.nodes[subProcessId]?.scope?.eventStartEventIds[0];
    const start = startId ? model.nodes[startId] : undefined;
    if (start) openTrigger(execution, scope, start, 'eventSubProcess');
  }
}

/** Timer, message and signal events get a job or a subscription; error and escalation events are found when thrown. */
export function openTrigger(execution: Execution, owner: ElementInstanceRecord, event: FlowNode, purpose: JobPurpose): void {
  const definition = event.event;
  if (definition?.kind === 'timer') attach(execution, owner, 'job', createTimerJob(execution, owner, event, purpose).id);
  if (definition?.kind === 'message' || definition?.kind === 'signal') {
    attach(execution, owner, 'subscription', createSubscription(execution, owner, event, purpose).id);
  }
}

export function attach(execution: Execution, owner: ElementInstanceRecord, kind: 'job' | 'subscription', id: string): void {
  owner.attached.push({ kind, id });
  execution.state.elementInstances.put(owner);
}

export function timerSchedule(execution: Execution, scopeId: string, event: FlowNode): TimerSchedule {
  if (event.event?.kind !== 'timer') throw new Error(`'${event.id}' is not a timer event`);
  const { timerKind, value } = event.event;
  const { value: text, warnings } = evaluateExplained(execution, scopeId, value);
  try {
    return parseTimer(timerKind, typeof text === 'string' ? text : JSON.stringify(text));
  } catch (error) {
    if (!(error instanceof TimerExpressionError)) throw error;
    const reasons = [error.message, ...warnings].join('; ');
    throw new ExpressionFailure('expression', `the timer of '${event.id}' is unusable: ${reasons}`);
  }
}

function createTimerJob(execution: Execution, owner: ElementInstanceRecord, event: FlowNode, purpose: JobPurpose): JobRecord {
  const schedule = timerSchedule(execution, owner.id, event);
  const job: JobRecord = {
    id: execution.newId(),
    kind: 'timer',
    purpose,
    elementId: event.id,
    definitionKey: owner.definitionKey,
    instanceId: owner.instanceId,
    elementInstanceId: owner.id,
    dueAt: firstDueDate(schedule, execution.now).toISOString(),
    retries: 0,
    firedCount: 0,
    schedule,
    rev: 0,
  };
  execution.state.jobs.put(job);
  return job;
}

function createSubscription(execution: Execution, owner: ElementInstanceRecord, event: FlowNode, purpose: JobPurpose): SubscriptionRecord {
  const definition = event.event;
  if (definition?.kind !== 'message' && definition?.kind !== 'signal') throw new Error(`'${event.id}' is not a message or signal event`);
  const name = evaluateText(execution, owner.id, definition.name, `the ${definition.kind} name`, true);
  if (!name) throw new ExpressionFailure('expression', `the ${definition.kind} name of '${event.id}' is empty`);
  const subscription: SubscriptionRecord = {
    id: execution.newId(),
    kind: definition.kind,
    purpose,
    name,
    elementId: event.id,
    definitionKey: owner.definitionKey,
    instanceId: owner.instanceId,
    elementInstanceId: owner.id,
    rev: 0,
  };
  if (definition.kind === 'message' && definition.correlationKey) {
    const key = evaluateText(execution, owner.id, definition.correlationKey, 'the correlation key', true);
    if (key === undefined) throw new ExpressionFailure('expression', `the correlation key '${definition.correlationKey.text}' of '${event.id}' gave no value`);
    subscription.correlationKey = key;
  }
  execution.state.subscriptions.put(subscription);
  return subscription;
}

export function closeAttachments(execution: Execution, record: ElementInstanceRecord): void {
  for (const attachment of record.attached) removeAttached(execution, attachment.kind, attachment.id);
  record.attached = [];
}

export function detach(execution: Execution, owner: ElementInstanceRecord, id: string): void {
  const attachment = owner.attached.find((candidate) => candidate.id === id);
  if (!attachment) return;
  removeAttached(execution, attachment.kind, id);
  owner.attached = owner.attached.filter((candidate) => candidate.id !== id);
  execution.state.elementInstances.put(owner);
}

function removeAttached(execution: Execution, kind: 'job' | 'subscription', id: string): void {
  if (kind === 'job' && execution.state.job(id)) execution.state.jobs.remove(id);
  if (kind === 'subscription' && execution.state.subscription(id)) execution.state.subscriptions.remove(id);
}
