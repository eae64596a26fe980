/** Service jobs: work a registered handler does for a task, run by the host. */
import type { ElementInstanceRecord, JobRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { Execution } from './Execution.js';
import { ExpressionFailure } from './failures.js';
import { evaluate, evaluateText } from './variables.js';
import { attach } from './triggers.js';

export function createServiceJob(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void {
  const definition = node.taskDefinition;
  if (!definition) throw new Error(`'${node.id}' has no job type`);
  const type = evaluateText(execution, record.id, definition.type, 'the job type', true);
  if (!type) throw new ExpressionFailure('expression', `the job type of '${node.id}' is empty`);
  const retriesValue = evaluate(execution, record.id, definition.retries);
  const retries = retriesValue === null ? Number.NaN : Number(retriesValue);
  if (!Number.isInteger(retries) || retries < 0) throw new ExpressionFailure('expression', `the retries of '${node.id}' are not a whole number ≥ 0`);
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
