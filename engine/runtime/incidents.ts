/** Incidents: a token that waits for an operator, and the instance that shows it. */
import type { ElementInstanceRecord, IncidentPhase, IncidentRecord, IncidentType } from '../types.js';
import type { Execution } from './Execution.js';
import { recordHistory } from './history.js';

export function raiseIncident(execution: Execution, record: ElementInstanceRecord, type: IncidentType, message: string, phase: IncidentPhase, jobId?: string): IncidentRecord {
  const incident: IncidentRecord = {
    id: execution.newId(),
    instanceId: record.instanceId,
    elementInstanceId: record.id,
    elementId: record.elementId,
    type,
    message,
    state: 'open',
    createdAt: execution.at,
    phase,
    ...(jobId ? { jobId } : {}),
    rev: 0,
  };
  execution.state.incidents.put(incident);
  record.incidentId = incident.id;
  execution.state.elementInstances.put(record);
  changeOpenIncidents(execution, record.instanceId, +1);
  recordHistory(execution, record, 'incident_created', { incidentId: incident.id, type, message });
  return incident;
}

/** Marks the element's incident resolved (it was retried, or the element was terminated). */
export function resolveIncidentOf(execution: Execution, record: ElementInstanceRecord): void {
  const incident = record.incidentId ? execution.state.incident(record.incidentId) : undefined;
  if (record.incidentId) {
    // Saved, so that the element no longer counts as waiting on an incident in later steps.
    record.incidentId = undefined;
    execution.state.elementInstances.put(record);
  }
  if (!incident || incident.state !== 'open') return;
  incident.state = 'resolved';
  execution.state.incidents.put(incident);
  changeOpenIncidents(execution, record.instanceId, -1);
  recordHistory(execution, record, 'incident_resolved', { incidentId: incident.id });
}

function changeOpenIncidents(execution: Execution, instanceId: string, delta: number): void {
  const instance = execution.state.instance(instanceId);
  if (!instance) return;
  instance.openIncidents = Math.max(0, instance.openIncidents + delta);
  if (instance.state === 'active' || instance.state === 'incident') instance.state = instance.openIncidents > 0 ? 'incident' : 'active';
  execution.state.instances.put(instance);
}
