/** Incidents for operators: what is stuck, and running it again once the cause is fixed. */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { Empty, IdParams, IncidentSchema } from '../schemas.js';

export const incidentRoutes = [
  defineRoute({
    method: 'get', path: '/api/incidents', operationId: 'listIncidents', tag: 'incidents', access: ['admin'],
    summary: 'Incidents, open ones by default, of one instance or of all.',
    query: Type.Object({
      instanceId: Type.Optional(Type.String({ maxLength: 200 })),
      state: Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('all')], { default: 'open' }),
    }, { additionalProperties: false }),
    responses: { 200: { description: 'Incidents.', schema: Type.Object({ items: Type.Array(IncidentSchema) }) } },
    async handler({ query, services }) {
      const incidents = await services.engine.listIncidents(query.instanceId);
      return { items: incidents.filter((incident) => query.state === 'all' || incident.state === query.state) };
    },
  }),
  defineRoute({
    method: 'post', path: '/api/incidents/{id}/retry', operationId: 'retryIncident', tag: 'incidents', access: ['admin'],
    summary: 'Resolve an incident and run again what failed (the job, the activation or the completion).',
    params: IdParams, body: { schema: Empty },
    responses: { 204: { description: 'Retried.' } },
    status: 204,
    audit: { action: 'retry', objectType: 'incident' },
    async handler({ params, services, audit }) {
      const incident = (await services.engine.store.getIncident(params.id));
      if (incident) audit.instanceId = incident.instanceId;
      await services.engine.retryIncident(params.id);
      return undefined;
    },
  }),
];
