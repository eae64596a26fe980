/** Parallel gateway: forks onto every outgoing flow; joins by waiting for a token on every incoming flow. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';
import { arriveAtJoin, consumeArrivals } from '../runtime/joins.js';

export const parallelGateway: ElementBehavior = {
  activate: (execution, record) => completeElement(execution, record),
  arrive(execution, scope, node, flowId) {
    const join = arriveAtJoin(execution, scope, node, flowId);
    if (!node.incoming.every((id) => (join.arrivals?.[id] ?? 0) > 0)) return;
    consumeArrivals(execution, join, node, node.incoming);
    completeElement(execution, join);
  },
};
