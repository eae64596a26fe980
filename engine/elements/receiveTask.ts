/** Receive task: waits for its message, correlated by name and correlation key. */
import type { ElementBehavior } from './ElementBehavior.js';
import { openTrigger } from '../runtime/triggers.js';

export const receiveTask: ElementBehavior = {
  activate: (execution, record, node) => openTrigger(execution, record, node, 'intermediate'),
};
