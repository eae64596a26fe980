/** Task (abstract, without a type): nothing to do, the token passes. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';

export const task: ElementBehavior = {
  activate: (execution, record) => completeElement(execution, record),
};
