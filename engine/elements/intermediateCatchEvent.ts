/** Intermediate catch event: waits for its timer, message or signal; a link catch event passes the token on. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';
import { openTrigger } from '../runtime/triggers.js';

export const intermediateCatchEvent: ElementBehavior = {
  activate(execution, record, node) {
    if (node.event?.kind === 'link') return completeElement(execution, record);
    openTrigger(execution, record, node, 'intermediate');
  },
};
