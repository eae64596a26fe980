/** What message and signal throw events do: a job when they have a job type, else an effect the host performs after the step. */
import type { ElementInstanceRecord } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { Execution } from './Execution.js';
import { completeElement } from './lifecycle.js';
import { createServiceJob } from './jobs.js';
import { evaluateText } from './variables.js';

export function throwMessage(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void {
  if (node.taskDefinition) return createServiceJob(execution, record, node);
  const event = node.event;
  if (event?.kind === 'message') {
    const name = evaluateText(execution, record.id, event.name, 'the message name', true) ?? '';
    const correlationKey = evaluateText(execution, record.id, event.correlationKey, 'the correlation key');
    execution.effects.push({ kind: 'publishMessage', name, correlationKey, variables: {} });
  }
  completeElement(execution, record);
}

export function throwSignal(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void {
  const event = node.event;
  if (event?.kind === 'signal') {
    const name = evaluateText(execution, record.id, event.name, 'the signal name', true) ?? '';
    execution.effects.push({ kind: 'broadcastSignal', name, variables: {} });
  }
  completeElement(execution, record);
}
