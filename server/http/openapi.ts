/** The OpenAPI 3.1 document, generated from the route declarations (whose schemas ajv also validates with). */
import type { TSchema } from '@sinclair/typebox';
import type { Route } from './route.js';
import { ErrorSchema } from './schemas.js';

type Json = Record<string, unknown>;

const errorStatuses: Record<number, string> = {
  400: 'The request is malformed or breaks the schema; details.problems lists where.',
  401: 'Not logged in, or the API token is not valid.',
  403: 'Logged in, but not allowed (or the CSRF token is missing).',
  404: 'No such object, or not one the caller may see.',
  409: 'The object has changed state meanwhile (e.g. the user task was completed or claimed by someone else).',
  413: 'The body is too large.',
  415: 'The body has the wrong content type.',
  422: 'The input is well-formed but cannot be used (e.g. a model that cannot run); details lists the problems.',
};

export function openApiDocument(routes: Route[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Umlauf API',
      version,
      description: 'Electronic circulation folders on BPMN 2.0. Browsers log in with POST /api/login (session cookie plus the X-CSRF-Token header on state-changing requests); integrations send an API token as Authorization: Bearer. Every error has the shape { error: { code, message, details } }.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'umlauf_session' },
        token: { type: 'http', scheme: 'bearer' },
      },
      schemas: { Error: strip(ErrorSchema) },
    },
    paths,
  };
}

function operation(route: Route): Json {
  const responses: Json = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: strip(response.schema) } } } : {}),
    };
  }
  for (const status of likelyErrors(route)) {
    responses[status] ??= { description: errorStatuses[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.access === 'public' ? { security: [] } : { security: [{ session: [] }, { token: [] }] }),
    ...(route.access !== 'public' && route.access !== 'authenticated' ? { 'x-roles': route.access } : {}),
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body ? { requestBody: requestBody(route) } : {}),
    responses,
  };
}

function likelyErrors(route: Route): number[] {
  const statuses = [400];
  if (route.access !== 'public') statuses.push(401, 403);
  if (route.params) statuses.push(404);
  if (route.method !== 'get') statuses.push(409);
  if (route.body) statuses.push(413, 415);
  return statuses;
}

function parameters(schema: TSchema | undefined, where: 'path' | 'query'): Json[] {
  const properties = (schema?.['properties'] ?? {}) as Record<string, TSchema>;
  const required = new Set((schema?.['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(property['description'] ? { description: property['description'] } : {}),
    schema: strip(property),
  }));
}

function requestBody(route: Route): Json {
  const body = route.body;
  if (!body) return {};
  const content: Json = {};
  for (const type of body.contentTypes ?? ['application/json']) content[type] = { schema: strip(body.schema) };
  return { required: true, content };
}

/** TypeBox keeps its bookkeeping under symbol keys; JSON.stringify drops those, leaving plain JSON Schema. */
function strip(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}
