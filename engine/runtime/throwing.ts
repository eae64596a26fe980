/**
 * BPMN errors and escalations travel outwards from where they are thrown: to
 * a boundary event of an enclosing activity or an event sub-process of an
 * enclosing scope, across call activities into the calling instance. An error
 * nobody catches becomes an incident; an escalation nobody catches is ignored.
 */
import type { ElementInstanceRecord, IncidentPhase, Variables } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { Execution } from './Execution.js';
import { fireBoundaryEvent, startEventSubProcess } from './events.js';
import { raiseIncident } from './incidents.js';

type Kind = 'error' | 'escalation';

export function throwError(execution: Execution, from: ElementInstanceRecord, code: string, message: string, variables: Variables, phase: IncidentPhase = 'activate'): void {
  if (!findCatcher(execution, from, 'error', code, variables)) {
    raiseIncident(execution, from, 'unhandled_error', `the error '${code}' was not caught${message ? `: ${message}` : ''}`, phase);
  }
}

/** Returns true when caught; the thrower may have been terminated by an interrupting catch. */
export function throwEscalation(execution: Execution, from: ElementInstanceRecord, code: string, variables: Variables): boolean {
  return findCatcher(execution, from, 'escalation', code, variables);
}

function findCatcher(execution: Execution, from: ElementInstanceRecord, kind: Kind, code: string, variables: Variables): boolean {
  let child: ElementInstanceRecord | undefined = from;
  while (child) {
    const boundary = child.loopCounter === undefined ? matching(boundaryEvents(execution, child), kind, code) : undefined;
    if (boundary) {
      fireBoundaryEvent(execution, child, boundary.id, variables);
      return true;
    }
    const scope = outerOf(execution, child);
    if (!scope) return false;
    const start = scope.elementType === 'multiInstanceBody' ? undefined : matching(eventSubProcessStarts(execution, scope), kind, code);
    if (start) {
      startEventSubProcess(execution, scope, start.id, variables);
      return true;
    }
    child = scope;
  }
  return false;
}

/** The enclosing scope; for a process started by a call activity, that call activity. */
function outerOf(execution: Execution, record: ElementInstanceRecord): ElementInstanceRecord | undefined {
  if (record.scopeId) return execution.state.elementInstance(record.scopeId);
  const parentId = execution.state.instance(record.instanceId)?.parentElementInstanceId;
  return parentId ? execution.state.elementInstance(parentId) : undefined;
}

function boundaryEvents(execution: Execution, record: ElementInstanceRecord): FlowNode[] {
  const model = execution.modelOf(record);
  const node = model.nodes[record.elementId];
  return (node?.boundaryEventIds ?? []).map((id) => model.nodes[id]).filter((event): event is FlowNode => !!event);
}

function eventSubProcessStarts(execution: Execution, scope: ElementInstanceRecord): FlowNode[] {
  const model = execution.modelOf(scope);
  const ids = model.nodes[scope.elementId]?.scope?.eventSubProcessIds ?? [];
  return ids
    .map((id) => model.nodes[model.nodes[id]?.scope?.eventStartEventIds[0] ?? ''])
    .filter((event): event is FlowNode => !!event);
}

/** An event for exactly this code wins over one that catches every code. */
function matching(events: FlowNode[], kind: Kind, code: string): FlowNode | undefined {
  const candidates = events.filter((event) => event.event?.kind === kind);
  const codeOf = (event: FlowNode) => (event.event?.kind === kind ? event.event.code : undefined);
  return candidates.find((event) => codeOf(event) === code) ?? candidates.find((event) => codeOf(event) === undefined);
}
