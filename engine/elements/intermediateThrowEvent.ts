/** Intermediate throw event: none passes, link jumps to its catch event, signal, escalation and message throw and go on. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement, startInScope } from '../runtime/lifecycle.js';
import { throwEscalation } from '../runtime/throwing.js';
import { throwMessage, throwSignal } from '../runtime/throwEvents.js';

export const intermediateThrowEvent: ElementBehavior = {
  activate(execution, record, node) {
    const event = node.event;
    switch (event?.kind) {
      case 'link': {
        const scope = execution.elementInstance(record.scopeId ?? '');
        const targetId = execution.modelOf(record).nodes[node.scopeId]?.scope?.linkCatchEvents[event.name];
        if (targetId) startInScope(execution, scope, targetId);
        return completeElement(execution, record, {}, { flows: [] });
      }
      case 'signal':
        return throwSignal(execution, record, node);
      case 'message':
        return throwMessage(execution, record, node);
      case 'escalation':
        throwEscalation(execution, record, event.code ?? '', {});
        if (execution.state.elementInstance(record.id)) completeElement(execution, record);
        return;
      default:
        return completeElement(execution, record);
    }
  },
};
