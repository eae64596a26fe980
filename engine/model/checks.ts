/** Deploy-time rules: every reason a compiled process could not run, found before it runs. */
import type { FlowNode, ProcessModel } from './ProcessModel.js';
import type { Problems } from './problems.js';
import { isFeel } from './feel.js';

type EventKind = NonNullable<FlowNode['event']>['kind'];

/** Which event definitions each event type may carry. */
const allowedEvents: Record<string, EventKind[]> = {
  startEvent: ['none', 'timer', 'message', 'signal'],
  eventSubProcessStart: ['timer', 'message', 'signal', 'error', 'escalation'],
  receiveTask: ['message'],
  endEvent: ['none', 'terminate', 'error', 'escalation', 'message', 'signal'],
  intermediateCatchEvent: ['timer', 'message', 'signal', 'link'],
  intermediateThrowEvent: ['none', 'signal', 'escalation', 'link', 'message'],
  boundaryEvent: ['timer', 'message', 'error', 'escalation', 'signal'],
};

const supportedTypes = new Set([
  'process', 'startEvent', 'endEvent', 'intermediateCatchEvent', 'intermediateThrowEvent', 'boundaryEvent',
  'task', 'userTask', 'serviceTask', 'sendTask', 'receiveTask', 'manualTask', 'scriptTask', 'businessRuleTask',
  'exclusiveGateway', 'parallelGateway', 'inclusiveGateway', 'eventBasedGateway', 'subProcess', 'callActivity',
]);

const unsupportedReasons: Record<string, string> = {
  complexGateway: 'complex gateways are not supported',
  transaction: 'transactions are not supported',
  adHocSubProcess: 'ad-hoc sub-processes are not supported yet',
};

const activityTypes = new Set(['task', 'userTask', 'serviceTask', 'sendTask', 'receiveTask', 'manualTask', 'scriptTask', 'businessRuleTask', 'subProcess', 'callActivity']);

export function isActivity(node: FlowNode): boolean {
  return activityTypes.has(node.type);
}

export function checkProcess(model: ProcessModel, problems: Problems): void {
  const process = model.nodes[model.processId];
  if (process?.scope && !process.scope.noneStartEventId && process.scope.eventStartEventIds.length === 0) {
    problems.add(model.processId, 'the process has no start event');
  }
  for (const node of Object.values(model.nodes)) {
    if (node.type === 'process') continue;
    if (!supportedTypes.has(node.type)) {
      problems.add(node.id, unsupportedReasons[node.type] ?? `the element type ${node.type} is not supported`);
      continue;
    }
    checkEvent(model, node, problems);
    checkImplementation(node, problems);
    checkConnections(model, node, problems);
    checkScope(model, node, problems);
  }
  for (const flow of Object.values(model.flows)) checkFlow(model, flow.id, problems);
}

function eventRole(model: ProcessModel, node: FlowNode): string {
  if (node.type === 'startEvent' && model.nodes[node.scopeId]?.triggeredByEvent) return 'eventSubProcessStart';
  return node.type;
}

function checkEvent(model: ProcessModel, node: FlowNode, problems: Problems): void {
  if (!node.event) return;
  const role = eventRole(model, node);
  const allowed = allowedEvents[role] ?? [];
  if (!allowed.includes(node.event.kind)) {
    const where = role === 'eventSubProcessStart' ? 'an event sub-process start event' : `a ${node.type}`;
    problems.add(node.id, `${where} with a ${node.event.kind} event definition is not supported`);
    return;
  }
  const event = node.event;
  const jobBased = !!node.taskDefinition;
  if (event.kind === 'message' && event.name.text === '' && !jobBased) problems.add(node.id, 'the message event has no message name');
  if (event.kind === 'message' && needsCorrelationKey(node, role) && !event.correlationKey) {
    problems.add(node.id, 'the message catch event has no correlation key (zeebe:subscription correlationKey)');
  }
  if (event.kind === 'signal' && event.name.text === '') problems.add(node.id, 'the signal event has no signal name');
  const throws = node.type === 'endEvent' || node.type === 'intermediateThrowEvent';
  if (event.kind === 'error' && throws && !event.code) problems.add(node.id, 'the error end event has no error code');
  if (event.kind === 'escalation' && throws && !event.code) problems.add(node.id, 'the escalation event has no escalation code');
  if (event.kind === 'message' && throws && !node.taskDefinition && isFeel(event.name.text)) {
    problems.add(node.id, 'a message throw event without a job type needs a static message name');
  }
}

function needsCorrelationKey(node: FlowNode, role: string): boolean {
  return role !== 'startEvent' && node.type !== 'endEvent' && node.type !== 'intermediateThrowEvent';
}

function checkImplementation(node: FlowNode, problems: Problems): void {
  const jobType = node.taskDefinition?.type.text;
  if ((node.type === 'serviceTask' || node.type === 'sendTask') && !jobType) {
    problems.add(node.id, `the ${node.type} has no job type (zeebe:taskDefinition type)`);
  }
  if (node.type === 'businessRuleTask' && !jobType) {
    problems.add(node.id, 'business rule tasks with DMN decisions are not supported yet; give it a job type (zeebe:taskDefinition) instead');
  }
  if (node.type === 'scriptTask' && !node.script && !jobType) {
    problems.add(node.id, 'the script task has neither a FEEL expression (zeebe:script) nor a job type');
  }
  if (node.script && !node.script.resultVariable) problems.add(node.id, 'the script task has no result variable');
  if (node.type === 'callActivity' && !node.calledElement) problems.add(node.id, 'the call activity has no process id (zeebe:calledElement processId)');
  if (node.type === 'receiveTask') checkReceiveTask(node, problems);
  if (node.type === 'receiveTask' && node.event?.kind === 'message' && !node.event.correlationKey) {
    problems.add(node.id, 'the receive task has no correlation key (zeebe:subscription correlationKey)');
  }
  const loop = node.multiInstance;
  if (loop && !loop.inputCollection.feel) problems.add(node.id, 'the inputCollection must be a FEEL expression (start it with \'=\')');
  if (loop?.completionCondition && !loop.completionCondition.feel) problems.add(node.id, 'the completionCondition must be a FEEL expression (start it with \'=\')');
}

function checkReceiveTask(node: FlowNode, problems: Problems): void {
  if (node.event?.kind !== 'message') problems.add(node.id, 'the receive task references no message');
}

function checkConnections(model: ProcessModel, node: FlowNode, problems: Problems): void {
  const startsWithoutFlow = node.type === 'startEvent' || node.type === 'boundaryEvent' || node.triggeredByEvent
    || (node.type === 'intermediateCatchEvent' && node.event?.kind === 'link');
  if (!startsWithoutFlow && node.incoming.length === 0) problems.add(node.id, 'the element has no incoming sequence flow');
  if (startsWithoutFlow && node.incoming.length > 0 && node.type !== 'intermediateCatchEvent') {
    problems.add(node.id, 'the element must not have incoming sequence flows');
  }
  const endsWithoutFlow = node.type === 'endEvent' || isActivity(node) || (node.type === 'intermediateThrowEvent' && node.event?.kind === 'link');
  if (!endsWithoutFlow && node.outgoing.length === 0) problems.add(node.id, 'the element has no outgoing sequence flow');
  if (node.type === 'endEvent' && node.outgoing.length > 0) problems.add(node.id, 'an end event must not have outgoing sequence flows');
  if (node.triggeredByEvent && node.outgoing.length > 0) problems.add(node.id, 'an event sub-process must not have sequence flows');
  if (node.type === 'boundaryEvent') checkBoundary(model, node, problems);
  if (node.type === 'eventBasedGateway') checkEventBasedGateway(model, node, problems);
  if (node.type === 'intermediateThrowEvent' && node.event?.kind === 'link') checkLinkThrow(model, node, problems);
}

function checkBoundary(model: ProcessModel, node: FlowNode, problems: Problems): void {
  const host = node.attachedToId ? model.nodes[node.attachedToId] : undefined;
  if (!host) problems.add(node.id, 'the boundary event is not attached to an activity');
  else if (!isActivity(host)) problems.add(node.id, `the boundary event is attached to a ${host.type}, not an activity`);
}

function checkEventBasedGateway(model: ProcessModel, node: FlowNode, problems: Problems): void {
  if (node.outgoing.length < 2) problems.add(node.id, 'an event-based gateway needs at least two outgoing sequence flows');
  for (const flowId of node.outgoing) {
    const target = model.nodes[model.flows[flowId]?.targetId ?? ''];
    const kind = target?.event?.kind;
    const catches = (target?.type === 'intermediateCatchEvent' && (kind === 'message' || kind === 'timer' || kind === 'signal'))
      || target?.type === 'receiveTask';
    if (target && !catches) problems.add(node.id, `an event-based gateway may only lead to message, timer or signal catch events; '${target.id}' is a ${target.type}`);
  }
}

function checkLinkThrow(model: ProcessModel, node: FlowNode, problems: Problems): void {
  const name = node.event?.kind === 'link' ? node.event.name : '';
  if (!model.nodes[node.scopeId]?.scope?.linkCatchEvents[name]) problems.add(node.id, `no link catch event named '${name}' in the same scope`);
}

function checkScope(model: ProcessModel, node: FlowNode, problems: Problems): void {
  if (!node.scope || node.type === 'process') return;
  const scope = node.scope;
  if (node.triggeredByEvent) {
    if (scope.eventStartEventIds.length !== 1 || scope.noneStartEventId) problems.add(node.id, 'an event sub-process needs exactly one start event with an event definition');
    if (node.incoming.length > 0) problems.add(node.id, 'an event sub-process must not have incoming sequence flows');
    return;
  }
  if (!scope.noneStartEventId) problems.add(node.id, 'the sub-process has no none start event');
  for (const id of scope.eventStartEventIds) problems.add(id, 'an embedded sub-process may only have a none start event');
}

function checkFlow(model: ProcessModel, flowId: string, problems: Problems): void {
  const flow = model.flows[flowId];
  const source = model.nodes[flow?.sourceId ?? ''];
  const target = model.nodes[flow?.targetId ?? ''];
  if (!flow || !source || !target) return;
  if (source.scopeId !== target.scopeId) problems.add(flow.id, 'the sequence flow crosses a sub-process border');
  const branches = source.type === 'exclusiveGateway' || source.type === 'inclusiveGateway';
  if (flow.condition && !branches) problems.add(flow.id, `conditions are only supported on flows leaving exclusive or inclusive gateways, not a ${source.type}`);
  if (flow.condition && !flow.condition.feel) problems.add(flow.id, `the condition '${flow.condition.text}' is not a FEEL expression (start it with '=')`);
  const isDefault = source.defaultFlowId === flow.id;
  if (branches && !flow.condition && !isDefault && source.outgoing.length > 1) {
    problems.add(flow.id, `the flow leaves ${source.type} '${source.id}' without a condition and is not its default flow`);
  }
  if (isDefault && flow.condition) problems.add(flow.id, 'the default flow must not have a condition');
}
