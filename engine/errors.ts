/** Errors the engine throws; one class per failure a caller can act on. */

export interface DeploymentProblem {
  /** The id of the element at fault, or the process id, or '' for the file itself. */
  elementId: string;
  message: string;
}

/** Thrown when a model cannot be deployed: malformed XML or a process that cannot run. Lists every problem found. */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
  constructor(readonly problems: DeploymentProblem[]) {
    super(`Deployment refused: ${problems.map((p) => (p.elementId ? `${p.elementId}: ${p.message}` : p.message)).join('; ')}`);
  }
}

/** Thrown when a referenced definition, instance, user task, job or incident does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(readonly kind: string, readonly id: string) {
    super(`${kind} '${id}' not found`);
  }
}

/** Thrown when a command no longer fits the state: the user task was already completed, another engine changed the same records first. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(message: string, readonly id?: string) {
    super(message);
  }
}

/** Thrown when a command's input is unusable, e.g. variables that are not a JSON object. */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
}

/**
 * Thrown by a service handler to raise a BPMN error: an error boundary event or
 * error event sub-process with a matching code catches it.
 */
export class BpmnError extends Error {
  override readonly name = 'BpmnError';
  constructor(readonly code: string, message?: string, readonly variables: Record<string, unknown> = {}) {
    super(message ?? `BPMN error '${code}'`);
  }
}
