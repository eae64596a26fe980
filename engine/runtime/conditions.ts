/** Sequence flow conditions, evaluated in the scope of the gateway that the flow leaves. */
import type { ElementInstanceRecord } from '../types.js';
import type { Execution } from './Execution.js';
import { evaluateAs } from './variables.js';

export function conditionHolds(execution: Execution, record: ElementInstanceRecord, flowId: string): boolean {
  const condition = execution.modelOf(record).flows[flowId]?.condition;
  if (!condition) return true;
  return evaluateAs(execution, record.id, condition, 'boolean', `the condition of '${flowId}'`) === true;
}
