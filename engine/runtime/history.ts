/** The append-only history of an instance, written as part of each step. */
import type { ElementInstanceRecord, HistoryEventType, Variables } from '../types.js';
import type { Execution } from './Execution.js';

export function recordHistory(execution: Execution, record: ElementInstanceRecord, type: HistoryEventType, details?: Variables): void {
  execution.state.appendHistory({
    at: execution.at,
    type,
    instanceId: record.instanceId,
    elementId: record.elementId,
    elementType: record.elementType,
    elementInstanceId: record.id,
    ...(details ? { details } : {}),
  });
}
