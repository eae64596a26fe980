/**
 * Joins: a token arriving at a joining gateway waits in the gateway's join
 * record, which holds the count of tokens per incoming flow and one token of
 * the scope, until the gateway fires.
 */
import type { ElementInstanceRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { Execution } from './Execution.js';
import { createElementInstance } from './lifecycle.js';

export function arriveAtJoin(execution: Execution, scope: ElementInstanceRecord, node: FlowNode, flowId: string): ElementInstanceRecord {
  const waiting = execution.state.join(scope.id, node.id);
  if (waiting?.arrivals) {
    waiting.arrivals[flowId] = (waiting.arrivals[flowId] ?? 0) + 1;
    execution.state.elementInstances.put(waiting);
    // The arriving token merges into the one the join record already holds.
    scope.tokens = Math.max(0, scope.tokens - 1);
    execution.state.elementInstances.put(scope);
    return waiting;
  }
  const record = createElementInstance(execution, scope, node);
  record.arrivals = { [flowId]: 1 };
  return record;
}

/**
 * Consumes one token from each of the given flows. Tokens beyond those (a
 * loop that came round twice) keep waiting in a new join record.
 */
export function consumeArrivals(execution: Execution, join: ElementInstanceRecord, node: FlowNode, flowIds: string[]): void {
  const rest: Record<string, number> = { ...join.arrivals };
  for (const flowId of flowIds) {
    const left = (rest[flowId] ?? 0) - 1;
    if (left > 0) rest[flowId] = left;
    else delete rest[flowId];
  }
  delete join.arrivals;
  execution.state.elementInstances.put(join);
  if (Object.keys(rest).length === 0) return;
  const scope = execution.elementInstance(join.scopeId ?? '');
  scope.tokens += 1;
  execution.state.elementInstances.put(scope);
  const remaining = createElementInstance(execution, scope, node);
  remaining.arrivals = rest;
}
