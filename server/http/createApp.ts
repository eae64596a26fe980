/**
 * The Express application: security headers, body limits, login rate limit,
 * metrics, the API routes and the operational endpoints. Everything it needs
 * comes in as Services, so tests build it on any database.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import multer from 'multer';
import { pinoHttp } from 'pino-http';
import type { Services } from './services.js';
import type { Route } from './route.js';
import { mountRoutes } from './router.js';
import { openApiDocument } from './openapi.js';
import { errorResponse, HttpError, unauthenticated } from './errors.js';
import { refuseInexactNumbers } from './exactNumbers.js';
import { mayScrape } from './metrics.js';
import { apiRoutes } from './routes/index.js';
import { DatabaseLoginAttempts, perUserKey, perUserPrefix } from './loginAttempts.js';
import { storableText } from '../../engine/index.js';

export const apiVersion = '0.1.0';

export function createApp(services: Services, routes: Route[] = apiRoutes): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', services.http.trustProxy);
  const overTls = services.http.baseUrl.startsWith('https:');
  app.use(helmet({
    contentSecurityPolicy: { directives: { ...contentSecurityPolicy, upgradeInsecureRequests: overTls ? [] : null } },
    // Over plain HTTP (a laptop, a test) HSTS would only make the browser refuse the next visit.
    strictTransportSecurity: overTls,
  }));
  app.use(measure(services));
  app.use(pinoHttp({
    logger: services.log,
    // Credentials never reach the log.
    redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
  }));
  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res) => {
    const ready = await services.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unreachable' });
  });
  app.get('/metrics', async (req, res, next) => {
    if (!mayScrape(req.headers.authorization, services.http.metricsToken)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      next(unauthenticated('send the metrics token (UMLAUF_METRICS_TOKEN) as a bearer token'));
      return;
    }
    res.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
  const document = openApiDocument(routes, apiVersion);
  app.get('/api/openapi.json', (_req, res) => { res.json(document); });
  app.use('/api', bodyParsers(services), cookieParser());
  app.post('/api/login', ...loginLimiters(services));
  app.post('/api/deployments', multer({ storage: multer.memoryStorage(), limits: { fileSize: services.http.xmlLimitBytes, files: 1, fields: 5 } }).single('file'));
  const api = express.Router();
  mountRoutes(api, routes, services);
  app.use(api);
  app.use('/api', (req, _res, next) => next(new HttpError(404, 'not_found', `no route ${req.method} ${req.originalUrl.split('?')[0]}`)));
  app.use(finalErrorHandler(services));
  return app;
}

const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  // bpmn-js and form-js set inline styles on diagram elements.
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

function bodyParsers(services: Services) {
  return [
    express.json({ limit: services.http.jsonLimitBytes, verify: refuseInexactNumbers }),
    express.text({ type: ['application/xml', 'text/xml', 'application/bpmn+xml'], limit: services.http.xmlLimitBytes }),
  ];
}

/**
 * Stops password guessing, counting failed logins in the database (shared by
 * all servers on it). First per user id at a client address: after too many,
 * even the right password waits for the window to pass, but only for that
 * user there, so one person's typos do not lock out the colleagues behind
 * the same terminal server or NAT address. Then per address, with a higher
 * limit, against guessing across many user ids. A request the first limit
 * refuses is not counted by the second.
 */
function loginLimiters(services: Services) {
  const { loginAttempts, loginAttemptsPerAddress, loginWindowMilliseconds } = services.http;
  const limiter = (limit: number, prefix: string, keyGenerator: (req: Request) => string, message: string) => rateLimit({
    windowMs: loginWindowMilliseconds,
    limit,
    keyGenerator,
    store: new DatabaseLoginAttempts(services.knex, loginWindowMilliseconds, { prefix }),
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => { res.status(429).json({ error: { code: 'rate_limited', message } }); },
  });
  const address = (req: Request): string => ipKeyGenerator(req.ip ?? '');
  return [
    limiter(loginAttempts, perUserPrefix, (req) => perUserKey(address(req), loginUserId(req)),
      'too many failed logins for this user id from this address; wait and try again'),
    limiter(loginAttemptsPerAddress, 'login:', address, 'too many failed logins from this address; wait and try again'),
  ];
}

/**
 * The user id a login names, as the limit counts it: trimmed, in lower case
 * (guesses at 'Clerk' count for 'clerk'), at most 200 characters; '' when
 * there is none (the route answers 400 for that, and counts it).
 */
function loginUserId(req: Request): string {
  const userId = (req.body as { userId?: unknown } | undefined)?.userId;
  // U+0000 cannot go into the database's key; such a guess (400 from the route) still counts, as U+FFFD.
  return typeof userId === 'string' ? storableText(userId.trim().toLowerCase().slice(0, 200)) : '';
}

function measure(services: Services) {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = services.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // The route template, not the URL, so ids do not explode the label space.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      end({ route: String(route), status: String(res.statusCode) });
    });
    next();
  };
}

/**
 * Errors that escape before a route runs (body limits, malformed JSON, no such
 * route); same shape as all others. A refused state-changing request is still
 * a state-changing request, so the audit records it too.
 */
function finalErrorHandler(services: Services) {
  return async (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body, unexpected } = errorResponse(error);
    if (unexpected) services.log.error({ err: error, url: req.originalUrl }, 'request failed');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      await services.audit.record({
        at: services.clock(), action: 'refused request', objectType: 'request', status,
        details: { method: req.method, path: req.originalUrl.split('?')[0], code: body.error.code },
      }).catch((auditError: unknown) => services.log.error({ err: auditError }, 'the audit entry could not be written'));
    }
    if (res.headersSent) return;
    res.status(status).json(body);
  };
}
