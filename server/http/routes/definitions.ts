/** Deploying BPMN models and reading the deployed process definitions. */
import { Type } from '@sinclair/typebox';
import type { DefinitionRecord } from '../../../engine/index.js';
import { defineRoute } from '../route.js';
import { badRequest, notFound } from '../errors.js';
import { DefinitionSchema, VersionQuery } from '../schemas.js';

const xmlTypes = ['application/xml', 'text/xml', 'application/bpmn+xml', 'multipart/form-data'];

const Deployment = Type.Object({
  id: Type.String(),
  processes: Type.Array(Type.Object({ processId: Type.String(), version: Type.Integer() })),
});

const ProcessIdParams = Type.Object({ processId: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const definitionRoutes = [
  defineRoute({
    method: 'post', path: '/api/deployments', operationId: 'deploy', tag: 'process definitions', access: ['designer'],
    summary: 'Deploy a BPMN model: the XML as the body, or as the multipart field "file". Each process in it gets its next version.',
    body: { schema: Type.String({ description: 'BPMN 2.0 XML' }), contentTypes: xmlTypes },
    responses: {
      201: { description: 'Deployed.', schema: Deployment },
      422: { description: 'The model cannot run; details.problems lists every problem with the element id.' },
    },
    status: 201,
    audit: { action: 'deploy', objectType: 'deployment' },
    async handler({ body, services, audit }) {
      if (body.trim() === '') throw badRequest('the body holds no BPMN XML');
      const deployment = await services.engine.deploy(body);
      audit.objectId = deployment.id;
      audit.details = { processes: deployment.processes };
      return deployment;
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-definitions', operationId: 'listDefinitions', tag: 'process definitions', access: 'authenticated',
    summary: 'The deployed process definitions: the latest version of each, or every version with allVersions=true.',
    query: Type.Object({
      allVersions: Type.Boolean({ default: false }),
      processId: Type.Optional(Type.String({ maxLength: 200 })),
    }, { additionalProperties: false }),
    responses: { 200: { description: 'Definitions, ordered by process id and version.', schema: Type.Object({ items: Type.Array(DefinitionSchema) }) } },
    async handler({ query, services }) {
      const all = (await services.engine.store.listDefinitions()).filter((definition) => !query.processId || definition.processId === query.processId);
      return { items: query.allVersions ? all : latestOnly(all) };
    },
  }),
  defineRoute({
    method: 'get', path: '/api/process-definitions/{processId}/xml', operationId: 'definitionXml', tag: 'process definitions', access: 'authenticated',
    summary: 'The BPMN XML a process definition was deployed with (latest version, or ?version=n).',
    params: ProcessIdParams,
    query: VersionQuery,
    responses: { 200: { description: 'The BPMN XML.', schema: Type.String(), contentType: 'application/xml' } },
    async handler({ params, query, services, res }) {
      const definition = await services.engine.store.getDefinition(params.processId, query.version);
      if (!definition) throw notFound('process definition', query.version ? `${params.processId}:${query.version}` : params.processId);
      const deployment = await services.engine.store.getDeployment(definition.deploymentId);
      if (!deployment) throw notFound('deployment', definition.deploymentId);
      res.status(200).type('application/xml').send(deployment.xml);
      return undefined;
    },
  }),
];

function latestOnly(definitions: DefinitionRecord[]): DefinitionRecord[] {
  const latest = new Map<string, DefinitionRecord>();
  for (const definition of definitions) {
    const known = latest.get(definition.processId);
    if (!known || known.version < definition.version) latest.set(definition.processId, definition);
  }
  return [...latest.values()];
}
