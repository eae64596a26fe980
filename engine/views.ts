/** Records mapped to the public views, in one place. Values are copied so callers cannot change stored state. */
import type { ElementInstanceRecord, InstanceRecord, ProcessInstance, UserTask, UserTaskRecord, VariableRecord } from './types.js';
import type { ChangeSet } from './store/Store.js';

export function toProcessInstance(instance: InstanceRecord, variables: VariableRecord[], elements: ElementInstanceRecord[]): ProcessInstance {
  const active = new Set(elements.filter((element) => element.elementType !== 'process').map((element) => element.elementId));
  return {
    id: instance.id,
    processId: instance.processId,
    version: instance.version,
    state: instance.state,
    variables: variablesOf(variables),
    activeElementIds: [...active],
    startedAt: instance.startedAt,
    ...(instance.businessKey !== undefined ? { businessKey: instance.businessKey } : {}),
    ...(instance.endedAt !== undefined ? { endedAt: instance.endedAt } : {}),
    ...(instance.parentInstanceId !== undefined ? { parentInstanceId: instance.parentInstanceId } : {}),
  };
}

/**
 * The view of an instance that did not exist before the step that wrote
 * `changes`: all it has is in the change set, so this equals what reading it
 * back from the store would give (variables by name, as the stores list
 * them). Undefined when the step did not write that instance, or when a
 * store might give back something else: a variable that is not plain JSON,
 * or element instances inside sub-scopes.
 */
export function processInstanceFromChanges(instanceId: string, changes: ChangeSet): ProcessInstance | undefined {
  const instance = changes.instances.find((record) => record.id === instanceId);
  if (!instance) return undefined;
  const variables = changes.variables.put.filter((record) => record.scopeId === instanceId)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A store keeps values as JSON or as they are; only for plain JSON are both the same as what the step wrote.
  if (!variables.every((record) => isPlainJson(record.value))) return undefined;
  const elements = changes.elementInstances.put.filter((record) => record.instanceId === instanceId && record.id !== instanceId);
  // Stores list nested element instances in different orders (tree walk, table order); only a flat instance is listed in the order it was written.
  if (elements.some((record) => record.scopeId !== instanceId)) return undefined;
  return toProcessInstance(instance, variables, elements);
}

export function toUserTask(record: UserTaskRecord, variables: VariableRecord[]): UserTask {
  const { elementInstanceId: _elementInstanceId, rev: _rev, ...task } = record;
  return { ...task, candidateUsers: [...task.candidateUsers], candidateGroups: [...task.candidateGroups], variables: variablesOf(variables) };
}

/** Null, a text, a boolean, a finite number (not -0), or a list or plain object of those. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isPlainJson);
}

function variablesOf(records: VariableRecord[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const record of records) result[record.name] = structuredClone(record.value);
  return result;
}
