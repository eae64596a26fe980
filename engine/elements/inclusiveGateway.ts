/**
 * Inclusive gateway: forks onto every flow whose condition holds (else the
 * default); joins once no token that could still reach it is left in the scope.
 */
import type { ElementInstanceRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { ElementBehavior } from './ElementBehavior.js';
import type { Execution } from '../runtime/Execution.js';
import { completeElement, guarded } from '../runtime/lifecycle.js';
import { ExpressionFailure } from '../runtime/failures.js';
import { conditionHolds } from '../runtime/conditions.js';
import { arriveAtJoin, consumeArrivals } from '../runtime/joins.js';

export const inclusiveGateway: ElementBehavior = {
  activate: (execution, record, node) => completeElement(execution, record, {}, { flows: chooseFlows(execution, record, node) }),
  arrive(execution, scope, node, flowId) {
    tryFire(execution, scope, arriveAtJoin(execution, scope, node, flowId), node);
  },
  scopeChanged(execution, scope) {
    const model = execution.modelOf(scope);
    for (const gatewayId of Object.keys(model.inclusiveUpstream)) {
      const node = model.nodes[gatewayId];
      if (node?.scopeId !== scope.elementId) continue;
      const join = execution.state.join(scope.id, gatewayId);
      if (join) tryFire(execution, scope, join, node);
    }
  },
};

function chooseFlows(execution: Execution, record: ElementInstanceRecord, node: FlowNode): string[] {
  if (node.outgoing.length <= 1) return node.outgoing;
  const taken = node.outgoing.filter((flowId) => flowId !== node.defaultFlowId && conditionHolds(execution, record, flowId));
  if (taken.length > 0) return taken;
  if (node.defaultFlowId) return [node.defaultFlowId];
  throw new ExpressionFailure('no_matching_flow', `no condition of the flows leaving '${node.id}' holds and there is no default flow`);
}

function tryFire(execution: Execution, scope: ElementInstanceRecord, join: ElementInstanceRecord, node: FlowNode): void {
  if (join.incidentId || couldStillArrive(execution, scope, join, node)) return;
  guarded(execution, join, 'activate', () => {
    const flows = chooseFlows(execution, join, node);
    consumeArrivals(execution, join, node, Object.keys(join.arrivals ?? {}));
    completeElement(execution, join, {}, { flows });
  });
}

/** Whether a token in the scope, resting or on its way, can still reach the gateway. */
function couldStillArrive(execution: Execution, scope: ElementInstanceRecord, join: ElementInstanceRecord, node: FlowNode): boolean {
  const upstream = new Set(execution.modelOf(scope).inclusiveUpstream[node.id] ?? []);
  if (execution.pendingActivations(scope.id).some((id) => upstream.has(id) || id === node.id)) return true;
  return execution.state.children(scope.id).some((child) => child.id !== join.id && upstream.has(child.elementId));
}
