/** End event: ends its token; terminate ends its whole scope; error, escalation, message and signal throw first. */
import type { ElementInstanceRecord } from '../types.js';
import type { ElementBehavior } from './ElementBehavior.js';
import type { Execution } from '../runtime/Execution.js';
import { completeElement, terminateChildren } from '../runtime/lifecycle.js';
import { throwError, throwEscalation } from '../runtime/throwing.js';
import { throwMessage, throwSignal } from '../runtime/throwEvents.js';

export const endEvent: ElementBehavior = {
  activate(execution, record, node) {
    const event = node.event;
    switch (event?.kind) {
      case 'terminate':
        return terminateScope(execution, record);
      case 'error':
        return throwError(execution, record, event.code ?? '', '', {});
      case 'escalation':
        throwEscalation(execution, record, event.code ?? '', {});
        if (execution.state.elementInstance(record.id)) completeElement(execution, record);
        return;
      case 'message':
        return throwMessage(execution, record, node);
      case 'signal':
        return throwSignal(execution, record, node);
      default:
        return completeElement(execution, record);
    }
  },
};

/** Ends every other token of the scope; at the process level the instance ends as terminated. */
function terminateScope(execution: Execution, record: ElementInstanceRecord): void {
  const scope = execution.elementInstance(record.scopeId ?? '');
  terminateChildren(execution, scope, record.id);
  const instance = execution.state.instance(record.instanceId);
  if (scope.scopeId === null && instance) {
    instance.state = 'terminated';
    execution.state.instances.put(instance);
  }
  completeElement(execution, record);
}
