/**
 * When a timer fires or a message or signal arrives: the waiting catch event
 * completes, a boundary event or event sub-process starts, an event-based
 * gateway takes its route, or a start event starts a new instance.
 */
import type { ElementInstanceRecord, JobPurpose, JobRecord, SubscriptionRecord, Variables } from '../types.js';
import { nextDueDate, type TimerSchedule } from '../model/timer.js';
import type { Execution } from './Execution.js';
import { completeElement, createElementInstance, startInScope, terminateChildren, terminateElement } from './lifecycle.js';
import { closeAttachments, detach, openEventSubProcessTriggers } from './triggers.js';
import { startInstance } from './start.js';

interface Trigger {
  purpose: JobPurpose;
  elementId: string;
  definitionKey: string;
  ownerId?: string;
  /** The job or subscription that brought the event. */
  sourceId: string;
}

export function fireTimer(execution: Execution, job: JobRecord): void {
  const event = execution.models.model(job.definitionKey).nodes[job.elementId];
  const repeats = job.purpose === 'startEvent' || (!event?.interrupting && (job.purpose === 'boundary' || job.purpose === 'eventSubProcess'));
  const next = repeats ? nextDueDate(job.schedule as TimerSchedule, new Date(job.dueAt), (job.firedCount ?? 0) + 1) : undefined;
  if (next) {
    execution.state.jobs.put({ ...job, dueAt: next.toISOString(), firedCount: (job.firedCount ?? 0) + 1 });
  } else {
    consume(execution, job.elementInstanceId, job.id, 'job');
  }
  fireEvent(execution, { ...job, ownerId: job.elementInstanceId, sourceId: job.id }, {});
}

export function deliver(execution: Execution, subscription: SubscriptionRecord, variables: Variables): void {
  const event = execution.models.model(subscription.definitionKey).nodes[subscription.elementId];
  const stays = subscription.purpose === 'startEvent' || (!event?.interrupting && (subscription.purpose === 'boundary' || subscription.purpose === 'eventSubProcess'));
  if (!stays) consume(execution, subscription.elementInstanceId, subscription.id, 'subscription');
  fireEvent(execution, { ...subscription, ownerId: subscription.elementInstanceId, sourceId: subscription.id }, variables);
}

function consume(execution: Execution, ownerId: string | undefined, id: string, kind: 'job' | 'subscription'): void {
  const owner = ownerId ? execution.state.elementInstance(ownerId) : undefined;
  if (owner) detach(execution, owner, id);
  else if (kind === 'job') execution.state.jobs.remove(id);
  else execution.state.subscriptions.remove(id);
}

function fireEvent(execution: Execution, trigger: Trigger, variables: Variables): void {
  if (trigger.purpose === 'startEvent') {
    startInstance(execution, { definitionKey: trigger.definitionKey, startEventId: trigger.elementId, variables });
    return;
  }
  const owner = trigger.ownerId ? execution.state.elementInstance(trigger.ownerId) : undefined;
  if (!owner) return;
  switch (trigger.purpose) {
    case 'intermediate':
    case 'activity':
      return completeElement(execution, owner, variables);
    case 'boundary':
      return fireBoundaryEvent(execution, owner, trigger.elementId, variables);
    case 'eventSubProcess':
      return startEventSubProcess(execution, owner, trigger.elementId, variables);
    case 'eventBasedGateway':
      return takeEventRoute(execution, owner, trigger.elementId, variables);
  }
}

/** A boundary event starts a token in the activity's scope; an interrupting one ends the activity first. */
export function fireBoundaryEvent(execution: Execution, activity: ElementInstanceRecord, boundaryId: string, variables: Variables): void {
  const scope = execution.state.elementInstance(activity.scopeId ?? '');
  const boundary = execution.modelOf(activity).nodes[boundaryId];
  if (!scope || !boundary) return;
  startInScope(execution, scope, boundaryId, variables);
  if (boundary.interrupting) terminateElement(execution, activity);
}

/** An event sub-process starts inside the scope it belongs to; an interrupting one ends everything else there first. */
export function startEventSubProcess(execution: Execution, scope: ElementInstanceRecord, startEventId: string, variables: Variables): void {
  const model = execution.modelOf(scope);
  const start = model.nodes[startEventId];
  const subProcess = start ? model.nodes[start.scopeId] : undefined;
  if (!start || !subProcess) return;
  if (start.interrupting) {
    closeAttachments(execution, scope);
    terminateChildren(execution, scope);
  }
  scope.tokens += 1;
  execution.state.elementInstances.put(scope);
  const record = createElementInstance(execution, scope, subProcess);
  openEventSubProcessTriggers(execution, record, subProcess);
  startInScope(execution, record, start.id, variables);
}

/** The first event after an event-based gateway wins; the others stop listening. */
function takeEventRoute(execution: Execution, gateway: ElementInstanceRecord, eventId: string, variables: Variables): void {
  const scope = execution.state.elementInstance(gateway.scopeId ?? '');
  const event = execution.modelOf(gateway).nodes[eventId];
  if (!scope || !event) return;
  closeAttachments(execution, gateway);
  scope.tokens += 1;
  execution.state.elementInstances.put(scope);
  const record = createElementInstance(execution, scope, event);
  completeElement(execution, gateway, {}, { flows: [] });
  completeElement(execution, record, variables);
}
