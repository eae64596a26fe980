/** Manual task: done outside any system, so the engine records it and passes on. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';

export const manualTask: ElementBehavior = {
  activate: (execution, record) => completeElement(execution, record),
};
