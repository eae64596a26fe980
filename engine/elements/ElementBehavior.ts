/** What each BPMN element type does with a token; one implementation per type, in this folder. */
import type { ElementInstanceRecord, Variables } from '../types.js';
import type { FlowNode } from '../model/ProcessModel.js';
import type { Execution } from '../runtime/Execution.js';

export interface ElementBehavior {
  /**
   * A token arrived and input mappings are applied: complete at once, or wait
   * for something. `payload` holds the variables an event brought (a message
   * that started a boundary or start event).
   */
  activate(execution: Execution, record: ElementInstanceRecord, node: FlowNode, payload?: Variables): void;
  /** The element is being terminated: remove what it created (user task, child instance …). */
  terminate?(execution: Execution, record: ElementInstanceRecord, node: FlowNode): void;
  /** Joins: a token arrives over a flow; the gateway decides whether to create an instance or merge. */
  arrive?(execution: Execution, scope: ElementInstanceRecord, node: FlowNode, flowId: string): void;
  /** Scopes: the last token inside is gone. */
  scopeEmptied?(execution: Execution, scope: ElementInstanceRecord): void;
  /** Multi-instance body: an inner instance is completing (its variables still there); returns whether the completion condition is met. */
  childCompleting?(execution: Execution, body: ElementInstanceRecord, inner: ElementInstanceRecord): boolean;
  /** Multi-instance body: an inner instance has completed and is gone. */
  childCompleted?(execution: Execution, body: ElementInstanceRecord, conditionMet: boolean): void;
  /** Call activity: the instance it called has completed with these variables. */
  calledInstanceCompleted?(execution: Execution, record: ElementInstanceRecord, variables: Variables): void;
  /** Inclusive gateway: a token in the scope moved; a waiting join may now fire. */
  scopeChanged?(execution: Execution, scope: ElementInstanceRecord): void;
}
