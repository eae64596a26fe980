/** Event definitions: what a start, end, intermediate or boundary event waits for or throws. */
import type { EventDefinition } from './ProcessModel.js';
import type { Problems } from './problems.js';
import { extension, many, one, text, type ModdleElement } from './moddle.js';
import { parseTimer, TimerExpressionError, type TimerKind } from './timer.js';
import { isFeel } from './feel.js';

const unsupported: Record<string, string> = {
  'bpmn:ConditionalEventDefinition': 'conditional events are not supported',
  'bpmn:CompensateEventDefinition': 'compensation is not supported',
  'bpmn:CancelEventDefinition': 'cancel events (transactions) are not supported',
};

export function compileEventDefinition(element: ModdleElement, problems: Problems): EventDefinition | undefined {
  const definitions = many(element, 'eventDefinitions');
  const id = element.id ?? '';
  if (definitions.length === 0) return { kind: 'none' };
  if (definitions.length > 1) {
    problems.add(id, 'events with several event definitions (multiple/parallel multiple) are not supported');
    return undefined;
  }
  const definition = definitions[0] as ModdleElement;
  const reason = unsupported[definition.$type];
  if (reason) {
    problems.add(id, reason);
    return undefined;
  }
  return readDefinition(definition, id, problems);
}

function readDefinition(definition: ModdleElement, id: string, problems: Problems): EventDefinition | undefined {
  switch (definition.$type) {
    case 'bpmn:TimerEventDefinition':
      return readTimer(definition, id, problems);
    case 'bpmn:MessageEventDefinition':
      return readMessage(definition, id, problems);
    case 'bpmn:SignalEventDefinition':
      return readSignal(definition, id, problems);
    case 'bpmn:ErrorEventDefinition': {
      const error = one(definition, 'errorRef');
      return { kind: 'error', code: nonEmpty(text(error, 'errorCode')), name: text(error, 'name') };
    }
    case 'bpmn:EscalationEventDefinition': {
      const escalation = one(definition, 'escalationRef');
      return { kind: 'escalation', code: nonEmpty(text(escalation, 'escalationCode')), name: text(escalation, 'name') };
    }
    case 'bpmn:TerminateEventDefinition':
      return { kind: 'terminate' };
    case 'bpmn:LinkEventDefinition':
      return { kind: 'link', name: text(definition, 'name') ?? '' };
    default:
      problems.add(id, `the event definition ${definition.$type} is not supported`);
      return undefined;
  }
}

const timerKinds: TimerKind[] = ['timeDate', 'timeDuration', 'timeCycle'];

function readTimer(definition: ModdleElement, id: string, problems: Problems): EventDefinition | undefined {
  for (const timerKind of timerKinds) {
    const body = text(one(definition, timerKind), 'body')?.trim();
    if (body === undefined || body === '') continue;
    const value = problems.expression(body, id, timerKind);
    if (!isFeel(body)) checkStaticTimer(timerKind, body, id, problems);
    return { kind: 'timer', timerKind, value };
  }
  problems.add(id, 'the timer has no timeDate, timeDuration or timeCycle');
  return undefined;
}

function checkStaticTimer(kind: TimerKind, body: string, id: string, problems: Problems): void {
  try {
    parseTimer(kind, body);
  } catch (error) {
    if (!(error instanceof TimerExpressionError)) throw error;
    problems.add(id, `${kind}: ${error.message}`);
  }
}

function readMessage(definition: ModdleElement, id: string, problems: Problems): EventDefinition {
  return readMessageRef(one(definition, 'messageRef'), id, problems);
}

/** A message reference, as message events and receive tasks carry it. */
export function readMessageRef(message: ModdleElement | undefined, id: string, problems: Problems): EventDefinition {
  const name = text(message, 'name')?.trim() ?? '';
  const correlationKey = text(extension(message, 'zeebe:Subscription'), 'correlationKey');
  return {
    kind: 'message',
    name: problems.expression(name, id, 'message name'),
    correlationKey: problems.optionalExpression(correlationKey, id, 'correlationKey'),
  };
}

function readSignal(definition: ModdleElement, id: string, problems: Problems): EventDefinition {
  const name = text(one(definition, 'signalRef'), 'name')?.trim() ?? '';
  return { kind: 'signal', name: problems.expression(name, id, 'signal name') };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
