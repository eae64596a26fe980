/**
 * The executable model: what compile() makes of a BPMN process. Plain data,
 * shared by every instance of a definition and never changed after compile.
 */
import type { Expression } from './feel.js';
import type { TimerKind } from './timer.js';

export interface SequenceFlow {
  id: string;
  sourceId: string;
  targetId: string;
  condition?: Expression;
}

export interface Mapping {
  source: Expression;
  target: string;
}

export type EventDefinition =
  | { kind: 'none' }
  | { kind: 'terminate' }
  | { kind: 'timer'; timerKind: TimerKind; value: Expression }
  | { kind: 'message'; name: Expression; correlationKey?: Expression }
  | { kind: 'signal'; name: Expression }
  | { kind: 'error'; code?: string; name?: string }
  | { kind: 'escalation'; code?: string; name?: string }
  | { kind: 'link'; name: string };

export interface MultiInstance {
  sequential: boolean;
  inputCollection: Expression;
  inputElement?: string;
  outputCollection?: string;
  outputElement?: Expression;
  completionCondition?: Expression;
}

export interface TaskDefinition {
  type: Expression;
  retries: Expression;
  headers: Record<string, string>;
}

export interface UserTaskDefinition {
  assignee?: Expression;
  candidateUsers?: Expression;
  candidateGroups?: Expression;
  dueDate?: Expression;
  followUpDate?: Expression;
  priority?: Expression;
  formKey?: string;
}

export interface CalledElement {
  processId: Expression;
  propagateAllChildVariables: boolean;
  propagateAllParentVariables: boolean;
}

export interface FlowNode {
  id: string;
  /** The BPMN element type as the specification spells it: 'userTask', 'exclusiveGateway' … */
  type: string;
  name?: string;
  /** The process or sub-process that contains the element. */
  scopeId: string;
  incoming: string[];
  outgoing: string[];
  defaultFlowId?: string;
  inputs: Mapping[];
  outputs: Mapping[];
  boundaryEventIds: string[];
  multiInstance?: MultiInstance;
  event?: EventDefinition;
  /** Boundary events: the activity they sit on. */
  attachedToId?: string;
  /** Boundary events and event sub-process start events: whether they interrupt. */
  interrupting: boolean;
  /** An event sub-process: started by its start event, not by a sequence flow. */
  triggeredByEvent: boolean;
  taskDefinition?: TaskDefinition;
  userTask?: UserTaskDefinition;
  script?: { expression: Expression; resultVariable?: string };
  calledElement?: CalledElement;
  /** Scopes (process, sub-processes): their content. */
  scope?: ScopeContent;
}

export interface ScopeContent {
  /** The none start event that starts the scope. */
  noneStartEventId?: string;
  /** Start events of other kinds (timer, message, signal) of a process. */
  eventStartEventIds: string[];
  /** Event sub-processes directly inside this scope. */
  eventSubProcessIds: string[];
  /** Link catch events by link name. */
  linkCatchEvents: Record<string, string>;
  /** Elements with no incoming flow that a scope starts with besides its start event (none here: refused at deploy). */
  elementIds: string[];
}

export interface ProcessModel {
  processId: string;
  name?: string;
  /** The process itself as a scope node (type 'process'), plus every flow node by id. */
  nodes: Record<string, FlowNode>;
  flows: Record<string, SequenceFlow>;
  /** For each inclusive gateway: the elements from which a token can still reach it. */
  inclusiveUpstream: Record<string, string[]>;
  /** Embedded forms (zeebe:userTaskForm): the parsed form-js schema by form id. */
  forms: Record<string, unknown>;
}
