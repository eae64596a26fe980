/**
 * Multi-instance body: runs its activity once per item of the input
 * collection, all at once (parallel) or one after another (sequential). It
 * keeps counters instead of scanning its inner instances, so one completion
 * costs the same among 3 or 9,000 siblings. The completion condition may end
 * it early; the inner instances still running are then terminated.
 */
import type { ElementInstanceRecord, MultiInstanceCounters } from '../types.js';
import type { FlowNode, MultiInstance } from '../model/ProcessModel.js';
import type { ElementBehavior } from './ElementBehavior.js';
import type { Execution } from '../runtime/Execution.js';
import { completeElement, terminateChildren } from '../runtime/lifecycle.js';
import { evaluate, evaluateAs } from '../runtime/variables.js';

export const multiInstanceBody: ElementBehavior = {
  activate(execution, body, node) {
    const loop = loopOf(node);
    const items = evaluateAs(execution, body.id, loop.inputCollection, 'list', 'the inputCollection') as unknown[];
    body.multiInstance = { total: items.length, active: 0, completed: 0, next: 0 };
    if (loop.sequential) body.loopItems = items;
    execution.state.elementInstances.put(body);
    if (items.length === 0) return finish(execution, body, node);
    const count = loop.sequential ? 1 : items.length;
    for (let index = 0; index < count; index++) startInner(execution, body, index, items[index]);
  },
  childCompleting(execution, body, inner) {
    const node = execution.nodeOf(body);
    const loop = loopOf(node);
    const counters = countersOf(body);
    // The condition is evaluated before the counters change, so that a failed
    // evaluation (an incident, retried later) does not count the inner instance twice.
    const counts = {
      numberOfInstances: counters.total,
      numberOfActiveInstances: counters.active - 1,
      numberOfCompletedInstances: counters.completed + 1,
      numberOfTerminatedInstances: 0,
    };
    const conditionMet = loop.completionCondition
      ? evaluateAs(execution, inner.id, loop.completionCondition, 'boolean', 'the completionCondition', counts) === true
      : false;
    counters.active -= 1;
    counters.completed += 1;
    execution.state.elementInstances.put(body);
    if (loop.outputElement) {
      const value = evaluate(execution, inner.id, loop.outputElement);
      execution.state.putOutput({ bodyId: body.id, index: (inner.loopCounter ?? 1) - 1, value });
    }
    return conditionMet;
  },
  childCompleted(execution, body, conditionMet) {
    const node = execution.nodeOf(body);
    const counters = countersOf(body);
    if (conditionMet) {
      terminateChildren(execution, body);
      return finish(execution, body, node);
    }
    if (loopOf(node).sequential && counters.next < counters.total) {
      return startInner(execution, body, counters.next, body.loopItems?.[counters.next]);
    }
    if (counters.active === 0) finish(execution, body, node);
  },
  terminate(execution, body) {
    execution.state.removeOutputs(body.id);
  },
  // Inner instances that end are counted in childCompleted; the body never completes just by emptying.
  scopeEmptied() {},
};

function startInner(execution: Execution, body: ElementInstanceRecord, index: number, item: unknown): void {
  const counters = countersOf(body);
  counters.active += 1;
  counters.next = index + 1;
  body.tokens += 1;
  execution.state.elementInstances.put(body);
  execution.schedule({ kind: 'activateInner', bodyId: body.id, index, item });
}

function finish(execution: Execution, body: ElementInstanceRecord, node: FlowNode): void {
  const loop = loopOf(node);
  const variables: Record<string, unknown> = {};
  if (loop.outputCollection) {
    const collected: unknown[] = new Array(countersOf(body).total).fill(null);
    for (const output of execution.state.outputsOf(body.id)) collected[output.index] = output.value;
    variables[loop.outputCollection] = collected;
  }
  execution.state.removeOutputs(body.id);
  completeElement(execution, body, variables, { mapOutputs: false });
}

function loopOf(node: FlowNode): MultiInstance {
  if (!node.multiInstance) throw new Error(`'${node.id}' is not a multi-instance activity`);
  return node.multiInstance;
}

function countersOf(body: ElementInstanceRecord): MultiInstanceCounters {
  if (!body.multiInstance) throw new Error(`'${body.id}' is not a multi-instance body`);
  return body.multiInstance;
}
