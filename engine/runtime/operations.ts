/**
 * Commands people give about running work rather than the model's own flow:
 * an operator cancels a process instance, a person claims or hands on a user task.
 */
import type { UserTaskRecord } from '../types.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { Execution } from './Execution.js';
import { terminateInstance } from './instances.js';
import { resolveIncidentOf } from './incidents.js';

/**
 * Terminates every active element of the instance the way a terminate end
 * event does, so user tasks are canceled, jobs and subscriptions removed,
 * called instances terminated and open incidents resolved (their elements are
 * gone; nothing is left for an operator to retry).
 */
export function cancelInstance(execution: Execution, instanceId: string): void {
  const instance = execution.state.instance(instanceId);
  if (!instance) throw new NotFoundError('process instance', instanceId);
  if (instance.state === 'completed' || instance.state === 'terminated') {
    throw new ConflictError(`process instance '${instanceId}' is ${instance.state}, not active`, instanceId);
  }
  // As in Zeebe: a called instance belongs to its call activity, which would
  // otherwise wait forever; cancel the parent instead.
  if (instance.parentInstanceId) {
    throw new ConflictError(
      `process instance '${instanceId}' was started by a call activity of instance '${instance.parentInstanceId}'; cancel that instance instead`,
      instanceId,
    );
  }
  const root = execution.state.elementInstance(instanceId);
  if (!root) throw new ConflictError(`process instance '${instanceId}' has no active elements`, instanceId);
  // Children resolve their own incidents as they leave; a scope's incident stays with the root otherwise.
  if (root.incidentId) resolveIncidentOf(execution, root);
  terminateInstance(execution, instanceId);
}

export interface AssignUserTaskOptions {
  /** The assignee the caller believes the task has (null: unassigned); anything else is a ConflictError. */
  expectedAssignee?: string | null;
}

/**
 * Sets or clears a user task's assignee. Asking for what already holds (a
 * second claim by the same person) changes nothing and is no conflict.
 */
export function assignUserTask(execution: Execution, taskId: string, assignee: string | null, options: AssignUserTaskOptions = {}): void {
  checkAssignee(assignee, 'assignee');
  if (options.expectedAssignee !== undefined) checkAssignee(options.expectedAssignee, 'expectedAssignee');
  const task = execution.state.userTask(taskId);
  if (!task) throw new NotFoundError('user task', taskId);
  if (task.state !== 'open') throw new ConflictError(`user task '${taskId}' is ${task.state}, not open`, taskId);
  const previous = task.assignee ?? null;
  if (previous === assignee) return;
  const expected = options.expectedAssignee;
  if (expected !== undefined && expected !== previous) {
    const now = previous === null ? 'unassigned' : `assigned to '${previous}'`;
    const wanted = expected === null ? 'unassigned' : `assigned to '${expected}'`;
    throw new ConflictError(`user task '${taskId}' is ${now}, not ${wanted}`, taskId);
  }
  const { assignee: _previous, ...rest } = task;
  const next: UserTaskRecord = assignee === null ? rest : { ...rest, assignee };
  execution.state.userTasks.put(next);
  execution.state.appendHistory({
    at: execution.at,
    type: 'assigned',
    instanceId: task.instanceId,
    elementId: task.elementId,
    elementType: 'userTask',
    elementInstanceId: task.elementInstanceId,
    details: { assignee, previousAssignee: previous },
  });
}

/** Callers outside TypeScript (the HTTP API) may send anything; an empty name would look assigned yet match nobody. */
function checkAssignee(value: unknown, what: string): void {
  if (value !== null && (typeof value !== 'string' || value.trim() === '')) {
    throw new InvalidArgumentError(`${what} must be a non-empty text or null`);
  }
}
