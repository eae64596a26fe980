/**
 * Call activity: starts the latest version of another process and waits for
 * it. Variables go in and out the Zeebe way: all of them unless
 * propagateAllParentVariables / propagateAllChildVariables say otherwise.
 */
import type { ElementBehavior } from './ElementBehavior.js';
import { ExpressionFailure } from '../runtime/failures.js';
import { evaluateText, visibleVariables } from '../runtime/variables.js';
import { startInstance } from '../runtime/start.js';
import { completeElement } from '../runtime/lifecycle.js';
import { terminateInstance } from '../runtime/instances.js';

export const callActivity: ElementBehavior = {
  activate(execution, record, node) {
    const called = node.calledElement;
    if (!called) throw new Error(`'${node.id}' has no called element`);
    const processId = evaluateText(execution, record.id, called.processId, 'the called process id', true);
    const latest = processId ? execution.models.latest(processId) : undefined;
    if (!latest) throw new ExpressionFailure('called_element', `the called process '${processId ?? ''}' is not deployed`);
    const variables = called.propagateAllParentVariables
      ? visibleVariables(execution, record.id)
      : execution.state.scopeVariables(record.id);
    const child = startInstance(execution, { definitionKey: latest.key, variables, parent: record });
    record.calledInstanceId = child.id;
    execution.state.elementInstances.put(record);
  },
  terminate(execution, record) {
    if (record.calledInstanceId) terminateInstance(execution, record.calledInstanceId);
  },
  calledInstanceCompleted(execution, record, variables) {
    const node = execution.nodeOf(record);
    const passAll = node.calledElement?.propagateAllChildVariables !== false;
    completeElement(execution, record, passAll || node.outputs.length > 0 ? variables : {});
  },
};
