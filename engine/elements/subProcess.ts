/** Embedded sub-process: a scope of its own that starts at its none start event and completes when its last token ends. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement, startInScope } from '../runtime/lifecycle.js';
import { openEventSubProcessTriggers } from '../runtime/triggers.js';

export const subProcess: ElementBehavior = {
  activate(execution, record, node) {
    openEventSubProcessTriggers(execution, record, node);
    const startId = node.scope?.noneStartEventId;
    if (startId) startInScope(execution, record, startId);
  },
  scopeEmptied: (execution, scope) => completeElement(execution, scope),
};
