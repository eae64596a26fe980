/**
 * One route is one declaration: its path, who may call it, the JSON Schemas of
 * its input and output, what the audit records, and the handler. The same
 * declaration feeds the OpenAPI document, the ajv validators, the access check
 * and the audit, so the four cannot drift apart.
 */
import type { Request, Response } from 'express';
import type { Static, TSchema } from '@sinclair/typebox';
import type { Principal } from './access.js';
import type { Services } from './services.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route at all; object-level rules (whose user task, whose instance) live in access.ts. */
export type Access = 'public' | 'authenticated' | readonly Principal['roles'][number][];

export interface ResponseSpec {
  description: string;
  schema?: TSchema;
  /** Content type of the schema (application/json unless said). */
  contentType?: string;
}

export interface BodySpec<B extends TSchema> {
  schema: B;
  /** Accepted content types; application/json when absent. */
  contentTypes?: string[];
}

/** What the audit records of a state-changing request; a handler fills in what it learns (the object, the instance, a deputy). */
export interface AuditEntry {
  action: string;
  objectType: string;
  objectId?: string;
  instanceId?: string;
  onBehalfOf?: string;
  /** Set by login, where the caller is not yet known before the handler runs. */
  actorId?: string;
  details?: Record<string, unknown>;
}

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  services: Services;
  principal: Principal | undefined;
  params: P;
  query: Q;
  body: B;
  /** The audit entry of this request (state-changing routes only); handlers add what they learn. */
  audit: AuditEntry;
  /** Cookie sessions only: the CSRF token of the session (GET /api/me hands it out again). */
  csrfToken?: string;
  /** Now, from the server's clock (one reading per request). */
  now: Date;
}

/** A principal is guaranteed on every route that is not public. */
export type AuthenticatedContext<P, Q, B> = RouteContext<P, Q, B> & { principal: Principal };

export interface Route<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema> {
  method: Method;
  /** OpenAPI style: /api/tasks/{id} */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: BodySpec<B>;
  responses: Record<number, ResponseSpec>;
  /** Required for every state-changing route: what the audit log records. */
  audit?: { action: string; objectType: string };
  /** Returns the JSON body (status 200, or `status`), or undefined after answering through `res` itself. */
  handler: (context: AuthenticatedContext<Static<P>, Static<Q>, Static<B>>) => Promise<unknown>;
  /** The status of a successful answer (200 when absent). */
  status?: number;
}

/** Keeps the schema types attached to the handler's arguments. */
export function defineRoute<P extends TSchema, Q extends TSchema, B extends TSchema>(route: Route<P, Q, B>): Route {
  return route as unknown as Route;
}
