/** Starting a process instance: the instance record, the process scope, its variables and the first token. */
import type { ElementInstanceRecord, InstanceRecord, Variables } from '../types.js';
import type { Execution } from './Execution.js';
import { startInScope } from './lifecycle.js';
import { openEventSubProcessTriggers } from './triggers.js';
import { recordHistory } from './history.js';

export interface StartRequest {
  definitionKey: string;
  /** The start event to begin at; the none start event when omitted. */
  startEventId?: string;
  variables: Variables;
  businessKey?: string;
  /** The call activity that starts this instance. */
  parent?: ElementInstanceRecord;
}

export function startInstance(execution: Execution, request: StartRequest): InstanceRecord {
  const model = execution.models.model(request.definitionKey);
  const processNode = model.nodes[model.processId];
  const startEventId = request.startEventId ?? processNode?.scope?.noneStartEventId;
  if (!processNode || !startEventId) throw new Error(`process '${model.processId}' has no none start event`);
  const [processId, version] = splitKey(request.definitionKey);
  const instance: InstanceRecord = {
    id: execution.newId(),
    definitionKey: request.definitionKey,
    processId,
    version,
    state: 'active',
    startedAt: execution.at,
    openIncidents: 0,
    rev: 0,
    ...(request.businessKey !== undefined ? { businessKey: request.businessKey } : {}),
    ...(request.parent ? { parentInstanceId: request.parent.instanceId, parentElementInstanceId: request.parent.id } : {}),
  };
  execution.state.instances.put(instance);
  const root: ElementInstanceRecord = {
    id: instance.id,
    instanceId: instance.id,
    definitionKey: request.definitionKey,
    elementId: model.processId,
    elementType: 'process',
    scopeId: null,
    tokens: 0,
    attached: [],
    rev: 0,
  };
  execution.state.elementInstances.put(root);
  recordHistory(execution, root, 'activated');
  for (const [name, value] of Object.entries(request.variables)) execution.state.setVariable(root.id, root.id, name, value);
  openEventSubProcessTriggers(execution, root, processNode);
  startInScope(execution, root, startEventId);
  return instance;
}

export function definitionKey(processId: string, version: number): string {
  return `${processId}:${version}`;
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
