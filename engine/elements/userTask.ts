/** User task: work for a person; the token waits until completeUserTask. Terminating it cancels the task. */
import type { ElementInstanceRecord, UserTaskRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import { staticWholeNumber, type Expression } from '../model/feel.js';
import type { ElementBehavior } from './ElementBehavior.js';
import type { Execution } from '../runtime/Execution.js';
import { ExpressionFailure } from '../runtime/failures.js';
import { evaluate, evaluateText, evaluateTextList } from '../runtime/variables.js';

const defaultPriority = 50;

export const userTask: ElementBehavior = {
  activate(execution, record, node) {
    execution.state.userTasks.put(createUserTask(execution, record, node));
  },
  terminate(execution, record) {
    const task = execution.state.userTask(record.id);
    if (task?.state !== 'open') return;
    execution.state.userTasks.put({ ...task, state: 'canceled', completedAt: execution.at });
  },
};

function createUserTask(execution: Execution, record: ElementInstanceRecord, node: FlowNode): UserTaskRecord {
  const definition = node.userTask ?? {};
  const scopeId = record.id;
  const task: UserTaskRecord = {
    id: record.id,
    elementInstanceId: record.id,
    instanceId: record.instanceId,
    processId: execution.modelOf(record).processId,
    elementId: node.id,
    candidateUsers: evaluateTextList(execution, scopeId, definition.candidateUsers, 'candidateUsers'),
    candidateGroups: evaluateTextList(execution, scopeId, definition.candidateGroups, 'candidateGroups'),
    priority: priority(execution, scopeId, definition.priority),
    state: 'open',
    createdAt: execution.at,
    rev: 0,
  };
  const optional: Partial<UserTaskRecord> = {
    name: node.name,
    assignee: evaluateText(execution, scopeId, definition.assignee, 'assignee'),
    dueDate: dateOf(execution, scopeId, definition.dueDate, 'dueDate'),
    followUpDate: dateOf(execution, scopeId, definition.followUpDate, 'followUpDate'),
    formKey: definition.formKey,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(task, { [key]: value });
  return task;
}

function dateOf(execution: Execution, scopeId: string, expression: Expression | undefined, what: string): string | undefined {
  const text = evaluateText(execution, scopeId, expression, what);
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new ExpressionFailure('expression', `${what} '${text}' is not an ISO 8601 date-time`);
  return new Date(time).toISOString();
}

function priority(execution: Execution, scopeId: string, expression: Expression | undefined): number {
  if (!expression) return defaultPriority;
  // A missing variable gives null, which Number() would quietly turn into 0, the lowest priority.
  const value = expression.feel === undefined ? staticWholeNumber(expression.text) : evaluate(execution, scopeId, expression);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new ExpressionFailure('expression', `priority '${expression.text}' should give a whole number from 0 to 100, not ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}
