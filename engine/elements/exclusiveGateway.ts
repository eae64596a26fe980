/** Exclusive gateway: the first flow whose condition holds, else the default flow, else an incident. */
import type { ElementBehavior } from './ElementBehavior.js';
import { completeElement } from '../runtime/lifecycle.js';
import { ExpressionFailure } from '../runtime/failures.js';
import { conditionHolds } from '../runtime/conditions.js';

export const exclusiveGateway: ElementBehavior = {
  activate(execution, record, node) {
    if (node.outgoing.length <= 1) return completeElement(execution, record);
    const chosen = node.outgoing.find((flowId) => flowId !== node.defaultFlowId && conditionHolds(execution, record, flowId))
      ?? node.defaultFlowId;
    if (!chosen) throw new ExpressionFailure('no_matching_flow', `no condition of the flows leaving '${node.id}' holds and there is no default flow`);
    completeElement(execution, record, {}, { flows: [chosen] });
  },
};
