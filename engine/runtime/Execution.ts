/**
 * The context of one step: the unit of work, the injected clock and id
 * source, the models, and an agenda of pending token moves. Tokens move through
 * the agenda rather than by recursion, so a long chain of pass-through elements
 * cannot overflow the stack and a move into a scope that was terminated
 * meanwhile is simply dropped.
 */
import type { ElementInstanceRecord, Variables } from '../types.js';
import type { FlowNode, ProcessModel } from '../model/ProcessModel.js';
import type { StepState } from './StepState.js';
import type { ElementBehavior } from '../elements/ElementBehavior.js';

/** Thrown when a step needs a definition that the engine has not compiled yet. */
export class MissingDefinition extends Error {
  constructor(readonly request: { key: string } | { processId: string }) {
    super(`step needs definition ${'key' in request ? request.key : `latest of ${request.processId}`}`);
  }
}

export interface ModelSource {
  /** The compiled model of a definition key; throws MissingDefinition. */
  model(definitionKey: string): ProcessModel;
  /** The latest definition of a process id, or undefined when none is deployed; throws MissingDefinition. */
  latest(processId: string): { key: string; model: ProcessModel } | undefined;
}

/** Work the host does after the step has committed. */
export type Effect =
  | { kind: 'broadcastSignal'; name: string; variables: Variables }
  | { kind: 'publishMessage'; name: string; correlationKey?: string; variables: Variables };

export type Operation =
  | { kind: 'activate'; scopeId: string; nodeId: string; flowId?: string; variables?: Variables }
  | { kind: 'activateInner'; bodyId: string; index: number; item: unknown }
  | { kind: 'scopeCheck'; scopeId: string };

const maxOperationsPerStep = 2_000_000;

export class Execution {
  readonly effects: Effect[] = [];
  private readonly agenda: Operation[] = [];
  private agendaStart = 0;
  private operations = 0;

  constructor(
    readonly state: StepState,
    readonly now: Date,
    readonly newId: () => string,
    readonly models: ModelSource,
    readonly behaviors: Record<string, ElementBehavior>,
    readonly handle: (execution: Execution, operation: Operation) => void,
  ) {}

  get at(): string {
    return this.now.toISOString();
  }

  modelOf(record: ElementInstanceRecord): ProcessModel {
    return this.models.model(record.definitionKey);
  }

  nodeOf(record: ElementInstanceRecord): FlowNode {
    const node = this.modelOf(record).nodes[record.elementId];
    if (!node) throw new Error(`element '${record.elementId}' is not in definition ${record.definitionKey}`);
    return node;
  }

  behaviorOf(type: string): ElementBehavior {
    const behavior = this.behaviors[type];
    if (!behavior) throw new Error(`no behavior for element type '${type}'`);
    return behavior;
  }

  /** Reads an element instance that must exist. */
  elementInstance(id: string): ElementInstanceRecord {
    const record = this.state.elementInstance(id);
    if (!record) throw new InconsistentRead(`element instance '${id}' does not exist`);
    return record;
  }

  schedule(operation: Operation): void {
    this.agenda.push(operation);
  }

  /** Pending activations, for the inclusive join's look at tokens still on their way. */
  pendingActivations(scopeId: string): string[] {
    const ids: string[] = [];
    for (let i = this.agendaStart; i < this.agenda.length; i++) {
      const operation = this.agenda[i];
      if (operation?.kind === 'activate' && operation.scopeId === scopeId) ids.push(operation.nodeId);
    }
    return ids;
  }

  /** Works off the agenda until every token rests. */
  run(): void {
    while (this.agendaStart < this.agenda.length) {
      const operation = this.agenda[this.agendaStart++] as Operation;
      if (++this.operations > maxOperationsPerStep) {
        throw new Error('the step does not come to rest: a loop without a wait state?');
      }
      this.handle(this, operation);
    }
  }
}

/**
 * A record the step's own records point to is not there. The step loads in
 * several rounds, and another engine may have changed the store in between,
 * so the step runs again on fresh data; only if it persists is it a fault.
 */
export class InconsistentRead extends Error {}
