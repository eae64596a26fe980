/** Event-based gateway: listens for every event after it; the first to happen decides the route (runtime/events.ts). */
import type { ElementBehavior } from './ElementBehavior.js';
import { openTrigger } from '../runtime/triggers.js';

export const eventBasedGateway: ElementBehavior = {
  activate(execution, record, node) {
    const model = execution.modelOf(record);
    for (const flowId of node.outgoing) {
      const target = model.nodes[model.flows[flowId]?.targetId ?? ''];
      if (target) openTrigger(execution, record, target, 'eventBasedGateway');
    }
  },
};
