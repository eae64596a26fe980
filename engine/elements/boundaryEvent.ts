/** Boundary event: activated only when its trigger fires (see runtime/events.ts); it then passes the token on with the event's variables. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';

export const boundaryEvent: ElementBehavior = {
  activate: (execution, record, _node, payload) => completeElement(execution, record, payload ?? {}),
};
