/** One flow node: its BPMN type, its Zeebe properties, its expressions. */
import type { CalledElement, FlowNode, Mapping, MultiInstance, TaskDefinition, UserTaskDefinition } from './ProcessModel.js';
import type { Problems } from './problems.js';
import { staticWholeNumber, type Expression } from './feel.js';
import { extension, localType, many, one, text, type ModdleElement } from './moddle.js';
import { compileEventDefinition, readMessageRef } from './compileEvent.js';

const eventTypes = new Set(['startEvent', 'endEvent', 'intermediateCatchEvent', 'intermediateThrowEvent', 'boundaryEvent']);

export function compileNode(element: ModdleElement, scopeId: string, problems: Problems): FlowNode {
  const id = element.id ?? '';
  const type = localType(element);
  const node: FlowNode = {
    id,
    type,
    name: text(element, 'name'),
    scopeId,
    incoming: [],
    outgoing: [],
    defaultFlowId: one(element, 'default')?.id,
    inputs: mappings(element, 'inputParameters', problems),
    outputs: mappings(element, 'outputParameters', problems),
    boundaryEventIds: [],
    attachedToId: one(element, 'attachedToRef')?.id,
    interrupting: readInterrupting(element, type),
    triggeredByEvent: element['triggeredByEvent'] === true,
  };
  if (eventTypes.has(type)) node.event = compileEventDefinition(element, problems);
  if (type === 'receiveTask' && one(element, 'messageRef')) node.event = readMessageRef(one(element, 'messageRef'), id, problems);
  node.taskDefinition = taskDefinition(element, problems);
  node.userTask = type === 'userTask' ? userTaskDefinition(element, problems) : undefined;
  node.script = script(element, problems);
  node.calledElement = type === 'callActivity' ? calledElement(element, problems) : undefined;
  node.multiInstance = multiInstance(element, problems);
  return node;
}

function readInterrupting(element: ModdleElement, type: string): boolean {
  if (type === 'boundaryEvent') return element['cancelActivity'] !== false;
  if (type === 'startEvent') return element['isInterrupting'] !== false;
  return true;
}

function mappings(element: ModdleElement, property: string, problems: Problems): Mapping[] {
  const ioMapping = extension(element, 'zeebe:IoMapping');
  return many(ioMapping, property).map((parameter) => {
    const target = text(parameter, 'target')?.trim() ?? '';
    if (target === '') problems.add(element.id ?? '', `a zeebe:${property === 'inputParameters' ? 'input' : 'output'} mapping has no target`);
    const source = text(parameter, 'source') ?? '';
    return { target, source: problems.expression(source === '' ? '=null' : source, element.id ?? '', `mapping '${target}'`) };
  });
}

function taskDefinition(element: ModdleElement, problems: Problems): TaskDefinition | undefined {
  const definition = extension(element, 'zeebe:TaskDefinition');
  if (!definition) return undefined;
  const id = element.id ?? '';
  const headers: Record<string, string> = {};
  for (const header of many(extension(element, 'zeebe:TaskHeaders'), 'values')) {
    const key = text(header, 'key');
    if (key) headers[key] = text(header, 'value') ?? '';
  }
  return {
    type: problems.expression(text(definition, 'type')?.trim() ?? '', id, 'job type'),
    retries: wholeNumber(text(definition, 'retries')?.trim() || '3', id, 'retries', Infinity, problems),
    headers,
  };
}

/**
 * A count written without '=' is checked at deployment, so that a typo
 * fails the deployment rather than every job or task of it at run time.
 */
function wholeNumber(attribute: string, elementId: string, name: string, max: number, problems: Problems): Expression {
  const expression = problems.expression(attribute, elementId, name);
  const value = expression.feel === undefined ? staticWholeNumber(expression.text) : 0;
  if (typeof value !== 'number' || value > max) {
    const range = max === Infinity ? '≥ 0' : `from 0 to ${max}`;
    problems.add(elementId, `${name}: '${expression.text}' is not a whole number ${range} (nor a FEEL expression, which starts with '=')`);
  }
  return expression;
}

function optionalWholeNumber(attribute: string | undefined, elementId: string, name: string, max: number, problems: Problems): Expression | undefined {
  return attribute === undefined || attribute.trim() === '' ? undefined : wholeNumber(attribute, elementId, name, max, problems);
}

function userTaskDefinition(element: ModdleElement, problems: Problems): UserTaskDefinition {
  const id = element.id ?? '';
  const assignment = extension(element, 'zeebe:AssignmentDefinition');
  const schedule = extension(element, 'zeebe:TaskSchedule');
  const form = extension(element, 'zeebe:FormDefinition');
  const read = (owner: ModdleElement | undefined, property: string) =>
    problems.optionalExpression(text(owner, property), id, property);
  return {
    assignee: read(assignment, 'assignee'),
    candidateUsers: read(assignment, 'candidateUsers'),
    candidateGroups: read(assignment, 'candidateGroups'),
    dueDate: read(schedule, 'dueDate'),
    followUpDate: read(schedule, 'followUpDate'),
    priority: optionalWholeNumber(text(extension(element, 'zeebe:PriorityDefinition'), 'priority'), id, 'priority', 100, problems),
    formKey: text(form, 'formKey') ?? text(form, 'formId') ?? text(form, 'externalReference'),
  };
}

function script(element: ModdleElement, problems: Problems): FlowNode['script'] {
  const definition = extension(element, 'zeebe:Script');
  if (!definition) return undefined;
  const id = element.id ?? '';
  const source = text(definition, 'expression')?.trim() ?? '';
  return {
    expression: problems.expression(source, id, 'script expression'),
    resultVariable: text(definition, 'resultVariable')?.trim() || undefined,
  };
}

function calledElement(element: ModdleElement, problems: Problems): CalledElement | undefined {
  const definition = extension(element, 'zeebe:CalledElement');
  const processId = text(definition, 'processId')?.trim() ?? '';
  if (processId === '') return undefined;
  return {
    processId: problems.expression(processId, element.id ?? '', 'called process id'),
    propagateAllChildVariables: definition?.['propagateAllChildVariables'] !== false,
    propagateAllParentVariables: definition?.['propagateAllParentVariables'] !== false,
  };
}

function multiInstance(element: ModdleElement, problems: Problems): MultiInstance | undefined {
  const loop = one(element, 'loopCharacteristics');
  if (!loop) return undefined;
  const id = element.id ?? '';
  if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
    problems.add(id, 'standard loops are not supported; use multi-instance');
    return undefined;
  }
  const zeebe = extension(loop, 'zeebe:LoopCharacteristics');
  const inputCollection = text(zeebe, 'inputCollection')?.trim();
  if (!inputCollection) {
    problems.add(id, 'multi-instance needs an inputCollection (zeebe:loopCharacteristics)');
    return undefined;
  }
  const condition = text(one(loop, 'completionCondition'), 'body')?.trim();
  const outputElement = text(zeebe, 'outputElement')?.trim();
  return {
    sequential: loop['isSequential'] === true,
    inputCollection: problems.expression(inputCollection, id, 'inputCollection'),
    inputElement: text(zeebe, 'inputElement')?.trim() || undefined,
    outputCollection: text(zeebe, 'outputCollection')?.trim() || undefined,
    outputElement: problems.optionalExpression(outputElement, id, 'outputElement'),
    completionCondition: problems.optionalExpression(condition, id, 'completionCondition'),
  };
}
