/** The end of a process instance: completed when its last token ends, terminated when cancelled or by a terminate end event. */
import type { ElementInstanceRecord } from '../types.js';
import type { Execution } from './Execution.js';
import { terminateChildren } from './lifecycle.js';
import { closeAttachments } from './triggers.js';
import { recordHistory } from './history.js';

export function completeInstance(execution: Execution, root: ElementInstanceRecord): void {
  const instance = execution.state.instance(root.instanceId);
  if (!instance) return;
  closeAttachments(execution, root);
  execution.state.elementInstances.remove(root.id);
  recordHistory(execution, root, instance.state === 'terminated' ? 'terminated' : 'completed');
  if (instance.state !== 'terminated') instance.state = 'completed';
  instance.endedAt = execution.at;
  execution.state.instances.put(instance);
  const caller = instance.parentElementInstanceId ? execution.state.elementInstance(instance.parentElementInstanceId) : undefined;
  if (caller && instance.state === 'completed') {
    execution.behaviorOf('callActivity').calledInstanceCompleted?.(execution, caller, execution.state.scopeVariables(root.id));
  }
}

export function terminateInstance(execution: Execution, instanceId: string): void {
  const instance = execution.state.instance(instanceId);
  const root = execution.state.elementInstance(instanceId);
  if (!instance || !root) return;
  terminateChildren(execution, root);
  instance.state = 'terminated';
  execution.state.instances.put(instance);
  completeInstance(execution, root);
}
