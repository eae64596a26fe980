/**
 * For each inclusive gateway that joins, the elements from which a token can
 * still reach it. The join fires once no token rests on any of them.
 */
import type { ProcessModel } from './ProcessModel.js';

export function inclusiveUpstream(model: ProcessModel): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const node of Object.values(model.nodes)) {
    if (node.type === 'inclusiveGateway' && node.incoming.length > 1) result[node.id] = upstreamOf(model, node.id);
  }
  return result;
}

function upstreamOf(model: ProcessModel, gatewayId: string): string[] {
  const seen = new Set<string>();
  const pending = [gatewayId];
  while (pending.length > 0) {
    const node = model.nodes[pending.pop() as string];
    if (!node) continue;
    for (const predecessor of predecessors(model, node.id)) {
      if (predecessor === gatewayId || seen.has(predecessor)) continue;
      seen.add(predecessor);
      pending.push(predecessor);
    }
  }
  return [...seen];
}

/** Where a token comes from: the sources of incoming flows, the activity a boundary event sits on, the link throw events of a link catch. */
function predecessors(model: ProcessModel, nodeId: string): string[] {
  const node = model.nodes[nodeId];
  if (!node) return [];
  const sources = node.incoming.map((flowId) => model.flows[flowId]?.sourceId).filter((id): id is string => !!id);
  if (node.attachedToId) sources.push(node.attachedToId);
  if (node.type === 'intermediateCatchEvent' && node.event?.kind === 'link') {
    const name = node.event.name;
    for (const other of Object.values(model.nodes)) {
      if (other.type === 'intermediateThrowEvent' && other.event?.kind === 'link' && other.event.name === name && other.scopeId === node.scopeId) sources.push(other.id);
    }
  }
  return sources;
}
