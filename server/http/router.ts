/**
 * Turns route declarations into Express handlers. Each request goes through
 * the same sequence: identify the caller, check route access and CSRF, validate
 * path, query and body, run the handler, record the audit entry, answer. The
 * audit entry is written before the answer leaves, and for refused requests too;
 * when the database does not answer, the entry is sent again twice before the
 * request gives up on it.
 */
import express, { type Request, type Response } from 'express';
import type { Services } from './services.js';
import type { AuditEntry, Route } from './route.js';
import { checkRouteAccess } from './access.js';
import { checkCsrf, identifyCaller, type Caller } from './authentication.js';
import { compileValidator, type Validator } from './validation.js';
import { errorResponse, HttpError } from './errors.js';
import type { AuditEntry as AuditLogEntry } from '../audit/AuditLog.js';
import { answeredByDatabase } from '../store/databaseErrors.js';

interface CompiledRoute {
  route: Route;
  params?: Validator;
  query?: Validator;
  body?: Validator;
}

export function mountRoutes(router: express.Router, routes: Route[], services: Services): void {
  for (const route of routes) {
    if (route.method !== 'get' && !route.audit) throw new Error(`${route.operationId}: a state-changing route must say what the audit records`);
    const compiled: CompiledRoute = {
      route,
      ...(route.params ? { params: compileValidator(route.params, 'path') } : {}),
      ...(route.query ? { query: compileValidator(route.query, 'query') } : {}),
      ...(route.body ? { body: compileValidator(route.body.schema, 'body') } : {}),
    };
    router[route.method](expressPath(route.path), (req: Request, res: Response) => handle(compiled, req, res, services));
  }
}

/** /api/tasks/{id} → /api/tasks/:id */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

async function handle(compiled: CompiledRoute, req: Request, res: Response, services: Services): Promise<void> {
  const { route } = compiled;
  const now = services.clock();
  const audit: AuditEntry = { ...(route.audit ?? { action: route.operationId, objectType: route.tag }) };
  let caller: Caller | undefined;
  let result: unknown;
  let failure: unknown;
  try {
    caller = await identifyCaller(req, services, now);
    checkRouteAccess(route.access, caller?.principal);
    checkCsrf(req, caller);
    const input = validateInput(compiled, req);
    result = await route.handler({ req, res, services, principal: caller?.principal as never, ...input, audit, now,
      ...(caller?.csrfToken ? { csrfToken: caller.csrfToken } : {}) });
  } catch (error) {
    failure = error;
  }
  const answer = failure === undefined ? { status: route.status ?? 200, body: result } : errorResponse(failure);
  if (failure !== undefined && 'unexpected' in answer && answer.unexpected) services.log.error({ err: failure, route: route.operationId }, 'request failed');
  if (route.audit) {
    const entry = auditEntryOf(audit, caller, answer.status, now, req);
    try {
      await recordPatiently(services, entry);
    } catch (error) {
      // The entry goes to the log whole, so that the change stays on record somewhere an operator can find it.
      services.log.error({ err: error, route: route.operationId, auditEntry: entry }, 'the audit entry could not be written');
      if (failure === undefined) {
        // The change was made: saying so keeps a client from making it a second time.
        res.status(500).json(lostAuditBody);
        return;
      }
      // A refused request changed nothing: its own answer says more than the lost entry would.
    }
  }
  if (res.headersSent) return;
  if (answer.status === 204 || answer.body === undefined) res.status(answer.status).end();
  else res.status(answer.status).json(answer.body);
}

function validateInput(compiled: CompiledRoute, req: Request): { params: never; query: never; body: never } {
  const { route } = compiled;
  if (route.body) checkContentType(req, route.body.contentTypes ?? ['application/json']);
  const params = compiled.params ? compiled.params({ ...req.params }) : {};
  const query = compiled.query ? compiled.query({ ...(req.query as object) }) : {};
  const body = compiled.body ? compiled.body(req.is('multipart/form-data') ? uploadedText(req) : req.body ?? {}) : undefined;
  return { params, query, body } as never;
}

/** A multipart upload's one file stands for the body (multer put it in memory, within the size limit). */
function uploadedText(req: Request): string {
  const file = (req as Request & { file?: { buffer: Buffer } }).file;
  if (!file) throw new HttpError(400, 'bad_request', 'send the file as the multipart field "file"');
  return file.buffer.toString('utf8');
}

function checkContentType(req: Request, accepted: string[]): void {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) return;
  if (!accepted.some((type) => req.is(type))) {
    throw new HttpError(415, 'unsupported_media_type', `send the body as ${accepted.join(' or ')}`);
  }
}

/** What a failed request's answer says when its change was made but the audit entry could not be written. */
const lostAuditBody = {
  error: {
    code: 'internal',
    message: 'the change was made, but its audit entry could not be written; the entry has been logged. Do not send the request again',
  },
};

/** Pauses before the audit entry is sent again when the database did not answer (a restart, a failover, a cut connection). */
const auditRetryPauses = [200, 1_000];

async function recordPatiently(services: Services, entry: AuditLogEntry): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await services.audit.record(entry);
      return;
    } catch (error) {
      const pause = auditRetryPauses[attempt];
      if (pause === undefined || answeredByDatabase(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

function auditEntryOf(entry: AuditEntry, caller: Caller | undefined, status: number, at: Date, req: Request): AuditLogEntry {
  const actorId = caller?.principal.userId ?? entry.actorId;
  const pathId = req.params['id'] ?? req.params['processId'];
  const objectId = entry.objectId ?? (typeof pathId === 'string' ? pathId : undefined);
  return {
    at,
    ...(actorId !== undefined ? { actorId } : {}),
    ...(entry.onBehalfOf !== undefined ? { onBehalfOf: entry.onBehalfOf } : {}),
    action: entry.action,
    objectType: entry.objectType,
    ...(objectId !== undefined ? { objectId } : {}),
    ...(entry.instanceId !== undefined ? { instanceId: entry.instanceId } : {}),
    status,
    details: { ...entry.details, method: req.method, path: req.originalUrl.split('?')[0], ...(caller ? { via: caller.principal.via } : {}) },
  };
}
