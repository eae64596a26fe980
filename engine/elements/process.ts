/** The process itself, as the outermost scope: when its last token ends, the instance completes. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeInstance } from '../runtime/instances.js';

export const process: ElementBehavior = {
  activate() {
    throw new Error('a process is started with startInstance, not activated by a flow');
  },
  scopeEmptied: (execution, scope) => completeInstance(execution, scope),
};
