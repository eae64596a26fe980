/**
 * The life of an element instance: activate (input mappings, boundary events,
 * the element's behavior), complete (output mappings, outgoing flows) and
 * terminate (children first, then what the element created). Scopes count the
 * tokens inside them and complete when the count drops to zero.
 */
import type { ElementInstanceRecord, Variables } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { Execution, Operation } from './Execution.js';
import { ExpressionFailure } from './failures.js';
import { evaluate, lookup, propagate, setLocal } from './variables.js';
import { closeAttachments, openBoundaryEvents } from './triggers.js';
import { raiseIncident, resolveIncidentOf } from './incidents.js';
import { recordHistory } from './history.js';

export function handleOperation(execution: Execution, operation: Operation): void {
  if (operation.kind === 'scopeCheck') return checkScope(execution, operation.scopeId);
  if (operation.kind === 'activateInner') return activateInner(execution, operation.bodyId, operation.index, operation.item);
  const scope = execution.state.elementInstance(operation.scopeId);
  if (!scope) return;
  const node = execution.modelOf(scope).nodes[operation.nodeId];
  if (!node) throw new Error(`element '${operation.nodeId}' not found`);
  const arrive = execution.behaviorOf(node.type).arrive;
  if (arrive && operation.flowId && node.incoming.length > 1) return arrive(execution, scope, node, operation.flowId);
  const record = createElementInstance(execution, scope, node, node.multiInstance ? 'multiInstanceBody' : node.type);
  activateElement(execution, record, node, operation.variables);
}

/** Puts a token on each flow; the target activates when the agenda reaches it. */
export function takeFlows(execution: Execution, scope: ElementInstanceRecord, flowIds: string[]): void {
  if (flowIds.length === 0) return;
  const model = execution.modelOf(scope);
  scope.tokens += flowIds.length;
  execution.state.elementInstances.put(scope);
  for (const flowId of flowIds) {
    const flow = model.flows[flowId];
    if (flow) execution.schedule({ kind: 'activate', scopeId: scope.id, nodeId: flow.targetId, flowId });
  }
}

/** Starts an element in a scope without a flow (a start event, a boundary or link event). */
export function startInScope(execution: Execution, scope: ElementInstanceRecord, nodeId: string, variables?: Variables): void {
  scope.tokens += 1;
  execution.state.elementInstances.put(scope);
  execution.schedule({ kind: 'activate', scopeId: scope.id, nodeId, variables });
}

/** A new element instance that takes over the token counted for it in its scope. */
export function createElementInstance(execution: Execution, scope: ElementInstanceRecord, node: FlowNode, elementType = node.type): ElementInstanceRecord {
  const record: ElementInstanceRecord = {
    id: execution.newId(),
    instanceId: scope.instanceId,
    definitionKey: scope.definitionKey,
    elementId: node.id,
    elementType,
    scopeId: scope.id,
    tokens: 0,
    attached: [],
    rev: 0,
  };
  execution.state.elementInstances.put(record);
  recordHistory(execution, record, 'activated');
  return record;
}

/** Runs an element's activation; an expression failure leaves the token waiting on an incident. */
export function activateElement(execution: Execution, record: ElementInstanceRecord, node: FlowNode, payload?: Variables): void {
  guarded(execution, record, 'activate', () => {
    const behavior = execution.behaviorOf(record.elementType);
    if (record.elementType !== 'multiInstanceBody') applyInputs(execution, record, node);
    if (record.loopCounter === undefined) openBoundaryEvents(execution, record, node);
    behavior.activate(execution, record, node, payload);
  });
}

function activateInner(execution: Execution, bodyId: string, index: number, item: unknown): void {
  const body = execution.state.elementInstance(bodyId);
  if (!body) return;
  const node = execution.nodeOf(body);
  const inner = createElementInstance(execution, body, node);
  inner.loopCounter = index + 1;
  setLocal(execution, inner.id, 'loopCounter', index + 1);
  if (node.multiInstance?.inputElement) setLocal(execution, inner.id, node.multiInstance.inputElement, item);
  activateElement(execution, inner, node);
}

/** Runs `work`; an ExpressionFailure becomes an incident on the element instance. */
export function guarded(execution: Execution, record: ElementInstanceRecord, phase: 'activate' | 'complete', work: () => void): boolean {
  try {
    work();
    return true;
  } catch (error) {
    if (!(error instanceof ExpressionFailure)) throw error;
    raiseIncident(execution, record, error.type, error.message, phase);
    return false;
  }
}

function applyInputs(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void {
  for (const mapping of node.inputs) {
    const [name, ...path] = mapping.target.split('.') as [string, ...string[]];
    const value = evaluate(execution, record.id, mapping.source);
    const local = execution.state.variable(record.id, name);
    setLocal(execution, record.id, name, path.length > 0 ? withPath(local.value, path, value) : value);
  }
}

/** A mapping target 'a.b.c' writes into the object held by variable 'a', as Zeebe does. */
function withPath(base: unknown, path: string[], value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  const object = base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Variables) } : {};
  object[key] = withPath(object[key], rest, value);
  return object;
}

export interface CompleteOptions {
  /** The flows to take; all outgoing flows when omitted. */
  flows?: string[];
  /** False for a multi-instance body: the output mappings belong to its inner instances. */
  mapOutputs?: boolean;
}

/**
 * Completes an element instance: variables from the completing party are
 * mapped by the output mappings, or propagated as they are when there are none.
 */
export function completeElement(execution: Execution, record: ElementInstanceRecord, variables: Variables = {}, options: CompleteOptions = {}): void {
  const node = execution.nodeOf(record);
  const scope = execution.state.elementInstance(record.scopeId ?? '');
  const body = record.loopCounter !== undefined ? scope : undefined;
  let conditionMet = false;
  // The completion condition of a multi-instance body belongs to the completion
  // of its inner instance: when it cannot be evaluated, the inner instance waits
  // on a 'complete' incident, as in Zeebe.
  const mapped = guarded(execution, record, 'complete', () => {
    if (options.mapOutputs === false) propagateAll(execution, record, variables);
    else applyOutputs(execution, record, node, variables);
    if (body) conditionMet = execution.behaviorOf('multiInstanceBody').childCompleting?.(execution, body, record) ?? false;
  });
  if (!mapped) return;
  leave(execution, record, 'completed');
  if (!scope) return;
  if (body) {
    scope.tokens = Math.max(0, scope.tokens - 1);
    execution.state.elementInstances.put(scope);
    execution.behaviorOf('multiInstanceBody').childCompleted?.(execution, body, conditionMet);
    return;
  }
  takeFlows(execution, scope, options.flows ?? node.outgoing);
  releaseToken(execution, scope);
}

function propagateAll(execution: Execution, record: ElementInstanceRecord, variables: Variables): void {
  // Zeebe merges completion variables from the element itself upwards, so a
  // local variable made by an input mapping (say, in a multi-instance inner
  // instance) receives the value instead of a variable further out.
  for (const [name, value] of Object.entries(variables)) propagate(execution, record.id, name, value);
}

function applyOutputs(execution: Execution, record: ElementInstanceRecord, node: FlowNode, variables: Variables): void {
  if (node.outputs.length === 0) return propagateAll(execution, record, variables);
  for (const [name, value] of Object.entries(variables)) setLocal(execution, record.id, name, value);
  const results = node.outputs.map((mapping) => [mapping.target, evaluate(execution, record.id, mapping.source)] as const);
  const scopeId = record.scopeId ?? record.id;
  for (const [target, value] of results) {
    const [name, ...path] = target.split('.') as [string, ...string[]];
    propagate(execution, scopeId, name, path.length > 0 ? withPath(lookup(execution, scopeId, name).value, path, value) : value);
  }
}

/** Removes an element instance and what belongs to it; the scope's token count is the caller's business. */
function leave(execution: Execution, record: ElementInstanceRecord, how: 'completed' | 'terminated'): void {
  closeAttachments(execution, record);
  if (record.incidentId) resolveIncidentOf(execution, record);
  execution.state.removeScopeVariables(record.id);
  execution.state.elementInstances.remove(record.id);
  recordHistory(execution, record, how);
}

/** One token fewer in the scope; the scope may complete when the agenda gets there. */
export function releaseToken(execution: Execution, scope: ElementInstanceRecord): void {
  scope.tokens = Math.max(0, scope.tokens - 1);
  execution.state.elementInstances.put(scope);
  execution.schedule({ kind: 'scopeCheck', scopeId: scope.id });
}

/** Terminates an element instance and everything inside it; its scope loses the token. */
export function terminateElement(execution: Execution, record: ElementInstanceRecord): void {
  terminateChildren(execution, record);
  execution.behaviorOf(record.elementType).terminate?.(execution, record, execution.nodeOf(record));
  leave(execution, record, 'terminated');
  const scope = record.scopeId ? execution.state.elementInstance(record.scopeId) : undefined;
  if (scope) {
    scope.tokens = Math.max(0, scope.tokens - 1);
    execution.state.elementInstances.put(scope);
  }
}

export function terminateChildren(execution: Execution, scope: ElementInstanceRecord, except?: string): void {
  if (scope.tokens === 0 && !execution.nodeOf(scope).scope && scope.elementType !== 'multiInstanceBody') return;
  for (const child of execution.state.children(scope.id)) {
    if (child.id !== except) terminateElement(execution, child);
  }
}

function checkScope(execution: Execution, scopeId: string): void {
  const scope = execution.state.elementInstance(scopeId);
  if (!scope) return;
  execution.behaviorOf('inclusiveGateway').scopeChanged?.(execution, scope);
  const current = execution.state.elementInstance(scopeId);
  if (!current || current.tokens > 0 || current.incidentId) return;
  execution.behaviorOf(current.elementType).scopeEmptied?.(execution, current);
}
