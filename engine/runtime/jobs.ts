/** Service jobs: work a registered handler does for a task, run by the host. */
import type { ElementInstanceRecord, JobRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import { staticWholeNumber, type Expression } from '../model/feel.js';
import type { Execution } from './Execution.js';
import { ExpressionFailure } from './failures.js';
import { evaluate, evaluateText } from './variables.js';
import { attach } from './triggers.js';

export function createServiceJob(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void {
  const definition = node.taskDefinition;
  if (!definition) throw new Error(`'${node.id}' has no job type`);
  const type = evaluateText(execution, record.id, definition.type, 'the job type', true);
  if (!type) throw new ExpressionFailure('expression', `the job type of '${node.id}' is empty`);
  const retries = retriesOf(execution, record, node, definition.retries);
  const job: JobRecord = {
    id: execution.newId(),
    kind: 'service',
    purpose: 'activity',
    elementId: node.id,
    definitionKey: record.definitionKey,
    instanceId: record.instanceId,
    elementInstanceId: record.id,
    dueAt: execution.at,
    type,
    retries,
    customHeaders: definition.headers,
    rev: 0,
  };
  execution.state.jobs.put(job);
  attach(execution, record, 'job', job.id);
}

/**
 * An expression must give a FEEL number, as in Zeebe: the string "3" is a
 * mistake in the model, which an incident shows, not something to read as a
 * number. A count written without '=' is checked at deployment too.
 */
function retriesOf(execution: Execution, record: ElementInstanceRecord, node: FlowNode, expression: Expression): number {
  const value = expression.feel === undefined ? staticWholeNumber(expression.text) : evaluate(execution, record.id, expression);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ExpressionFailure('expression', `retries '${expression.text}' of '${node.id}' should give a whole number ≥ 0, not ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}
