/** Records mapped to the public views, in one place. Values are copied so callers cannot change stored state. */
import type { ElementInstanceRecord, InstanceRecord, ProcessInstance, UserTask, UserTaskRecord, VariableRecord } from './types.js';

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

export function toUserTask(record: UserTaskRecord, variables: VariableRecord[]): UserTask {
  const { elementInstanceId: _elementInstanceId, rev: _rev, ...task } = record;
  return { ...task, candidateUsers: [...task.candidateUsers], candidateGroups: [...task.candidateGroups], variables: variablesOf(variables) };
}

function variablesOf(records: VariableRecord[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const record of records) result[record.name] = structuredClone(record.value);
  return result;
}
