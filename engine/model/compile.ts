/** Turns a bpmn-moddle tree into executable process models, collecting every problem on the way. */
import type { FlowNode, ProcessModel, ScopeContent } from './ProcessModel.js';
import { Problems } from './problems.js';
import { many, one, text, type ModdleElement } from './moddle.js';
import { compileNode } from './compileNode.js';
import { checkProcess } from './checks.js';
import { inclusiveUpstream } from './upstream.js';
import { checkFormLinks, readEmbeddedForms } from './forms.js';
import type { DeploymentProblem } from '../errors.js';

export interface CompileResult {
  processes: ProcessModel[];
  problems: DeploymentProblem[];
}

const ignoredFlowElements = new Set(['bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference']);

export function compileDefinitions(definitions: ModdleElement): CompileResult {
  const problems = new Problems();
  const all = many(definitions, 'rootElements').filter((element) => element.$type === 'bpmn:Process');
  const executable = all.filter((process) => process['isExecutable'] === true);
  if (executable.length === 0) {
    const ids = all.map((process) => process.id).join(', ');
    problems.add(all[0]?.id ?? '', all.length === 0
      ? 'the file contains no process'
      : `no process is marked executable (isExecutable="true"): ${ids}`);
  }
  const processes = executable.map((process) => compileProcess(process, problems));
  return { processes, problems: problems.list };
}

function compileProcess(process: ModdleElement, problems: Problems): ProcessModel {
  const processId = process.id ?? '';
  const model: ProcessModel = {
    processId, name: text(process, 'name'), nodes: {}, flows: {}, inclusiveUpstream: {}, forms: readEmbeddedForms(process, problems),
  };
  model.nodes[processId] = { ...compileNode(process, '', problems), type: 'process', scope: emptyScope() };
  walkScope(process, processId, model, problems);
  connect(model, problems);
  describeScopes(model, problems);
  checkProcess(model, problems);
  checkFormLinks(model, problems);
  model.inclusiveUpstream = inclusiveUpstream(model);
  return model;
}

function emptyScope(): ScopeContent {
  return { eventStartEventIds: [], eventSubProcessIds: [], linkCatchEvents: {}, elementIds: [] };
}

function walkScope(container: ModdleElement, scopeId: string, model: ProcessModel, problems: Problems): void {
  for (const element of many(container, 'flowElements')) {
    if (ignoredFlowElements.has(element.$type)) continue;
    if (!element.id) {
      problems.add(scopeId, `a ${element.$type} has no id`);
      continue;
    }
    if (element.$type === 'bpmn:SequenceFlow') {
      addFlow(element, model, problems);
      continue;
    }
    const node = compileNode(element, scopeId, problems);
    model.nodes[node.id] = node;
    if (element.$type === 'bpmn:SubProcess') {
      node.scope = emptyScope();
      walkScope(element, node.id, model, problems);
    }
  }
}

function addFlow(element: ModdleElement, model: ProcessModel, problems: Problems): void {
  const id = element.id ?? '';
  const sourceId = one(element, 'sourceRef')?.id;
  const targetId = one(element, 'targetRef')?.id;
  if (!sourceId || !targetId) {
    problems.add(id, 'the sequence flow has no source or no target');
    return;
  }
  const body = text(one(element, 'conditionExpression'), 'body')?.trim();
  model.flows[id] = { id, sourceId, targetId, condition: problems.optionalExpression(body, id, 'condition') };
}

function connect(model: ProcessModel, problems: Problems): void {
  for (const flow of Object.values(model.flows)) {
    const source = model.nodes[flow.sourceId];
    const target = model.nodes[flow.targetId];
    if (!source || !target) {
      problems.add(flow.id, `the sequence flow connects to '${source ? flow.targetId : flow.sourceId}', which is not a flow node of this process`);
      continue;
    }
    source.outgoing.push(flow.id);
    target.incoming.push(flow.id);
  }
  for (const node of Object.values(model.nodes)) {
    if (!node.attachedToId) continue;
    const host = model.nodes[node.attachedToId];
    if (host) host.boundaryEventIds.push(node.id);
    else problems.add(node.id, `the boundary event is attached to '${node.attachedToId}', which is not an activity of this process`);
  }
}

function describeScopes(model: ProcessModel, problems: Problems): void {
  for (const node of Object.values(model.nodes)) {
    const scope = model.nodes[node.scopeId]?.scope;
    if (!scope) continue;
    scope.elementIds.push(node.id);
    if (node.triggeredByEvent) scope.eventSubProcessIds.push(node.id);
    if (node.type === 'startEvent') addStartEvent(scope, node, problems);
    if (node.type === 'intermediateCatchEvent' && node.event?.kind === 'link') scope.linkCatchEvents[node.event.name] = node.id;
  }
}

function addStartEvent(scope: ScopeContent, node: FlowNode, problems: Problems): void {
  if (node.event?.kind !== 'none') {
    scope.eventStartEventIds.push(node.id);
  } else if (scope.noneStartEventId) {
    problems.add(node.id, `a scope may have only one none start event; '${scope.noneStartEventId}' is another`);
  } else {
    scope.noneStartEventId = node.id;
  }
}

