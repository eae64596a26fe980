/** Messages and signals from integrations (the city's specialised applications) into running processes. */
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { Variables } from '../schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 500 });

export const eventRoutes = [
  defineRoute({
    method: 'post', path: '/api/messages', operationId: 'correlateMessage', tag: 'events', access: ['integration', 'admin'],
    summary: 'Correlate a message to every instance waiting for it with this correlation key (once each) and to message start events; 404 when nothing waits.',
    body: { schema: Type.Object({ name: Name, correlationKey: Type.Optional(Type.String({ maxLength: 500 })), variables: Type.Optional(Variables) }, { additionalProperties: false }) },
    responses: { 204: { description: 'Correlated.' } },
    status: 204,
    audit: { action: 'correlate message', objectType: 'message' },
    async handler({ body, services, audit }) {
      Object.assign(audit, { objectId: body.name, details: { correlationKey: body.correlationKey ?? null } });
      await services.engine.correlateMessage(body.name, body.correlationKey, body.variables ?? {});
      return undefined;
    },
  }),
  defineRoute({
    method: 'post', path: '/api/signals', operationId: 'broadcastSignal', tag: 'events', access: ['integration', 'admin'],
    summary: 'Broadcast a signal to every instance and start event waiting for it.',
    body: { schema: Type.Object({ name: Name, variables: Type.Optional(Variables) }, { additionalProperties: false }) },
    responses: { 204: { description: 'Broadcast.' } },
    status: 204,
    audit: { action: 'broadcast signal', objectType: 'signal' },
    async handler({ body, services, audit }) {
      audit.objectId = body.name;
      await services.engine.broadcastSignal(body.name, body.variables ?? {});
      return undefined;
    },
  }),
];
