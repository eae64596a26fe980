/** Start event: the token leaves at once, with whatever variables the starting message brought. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';

export const startEvent: ElementBehavior = {
  activate: (execution, record, _node, payload) => completeElement(execution, record, payload ?? {}),
};
