/**
 * Every failure leaves the API in one shape, `{ error: { code, message, details } }`,
 * with the status that says what the caller can do about it. Domain errors are
 * mapped here, in one place, so handlers just throw; nothing else reaches the
 * client (no stack traces, no SQL).
 */
import { ConflictError, DeploymentError, InvalidArgumentError, NotFoundError } from '../../engine/index.js';
import { IdentityConflictError, IdentityNotFoundError, IdentityValidationError } from '../identity/errors.js';
import { inexactNumberType } from './exactNumbers.js';

export type ErrorCode =
  | 'bad_request' | 'validation_failed' | 'unauthenticated' | 'csrf_failed' | 'forbidden' | 'not_found'
  | 'conflict' | 'payload_too_large' | 'unsupported_media_type' | 'unprocessable' | 'rate_limited' | 'internal';

/** Thrown by handlers and middleware for a failure the client caused or must handle; carries the HTTP status. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: ErrorCode, message: string, readonly details?: unknown) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const unauthenticated = (message = 'log in or send an API token') => new HttpError(401, 'unauthenticated', message);
export const forbidden = (message = 'you may not do this') => new HttpError(403, 'forbidden', message);
export const notFound = (kind: string, id: string) => new HttpError(404, 'not_found', `${kind} '${id}' not found`, { kind, id });
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details);
/** A request part that breaks its schema or what the store can keep; `problems` says where. */
export const invalidRequest = (part: 'path' | 'query' | 'body', problems: unknown) => new HttpError(400, 'validation_failed', `the request ${part} is not valid`, { problems });

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The status and body for anything thrown; unknown errors become a bare 500 (the log gets the rest). */
export function errorResponse(error: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  const known = asHttpError(error);
  if (known) {
    return { status: known.status, unexpected: false, body: { error: { code: known.code, message: known.message, ...(known.details === undefined ? {} : { details: known.details }) } } };
  }
  return { status: 500, unexpected: true, body: { error: { code: 'internal', message: 'an unexpected error occurred; it has been logged' } } };
}

function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof DeploymentError) return new HttpError(422, 'unprocessable', 'the model cannot run', { problems: error.problems });
  if (error instanceof NotFoundError) return notFound(error.kind, error.id);
  if (error instanceof IdentityNotFoundError) return new HttpError(404, 'not_found', error.message);
  if (error instanceof ConflictError || error instanceof IdentityConflictError) return conflict(error.message);
  if (error instanceof InvalidArgumentError) return badRequest(error.message);
  if (error instanceof IdentityValidationError) return new HttpError(422, 'unprocessable', error.message);
  return bodyParserError(error);
}

/** Express's body parsers and multer signal size and syntax problems with a type or code. */
function bodyParserError(error: unknown): HttpError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, code, status } = error as { type?: unknown; code?: unknown; status?: unknown };
  if (type === 'entity.too.large' || code === 'LIMIT_FILE_SIZE') return new HttpError(413, 'payload_too_large', 'the request body is too large');
  if (type === 'entity.parse.failed') return badRequest('the request body is not valid JSON');
  if (type === inexactNumberType) return invalidRequest('body', (error as { problems?: unknown }).problems);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new HttpError(415, 'unsupported_media_type', 'the body encoding is not supported');
  if (typeof code === 'string' && code.startsWith('LIMIT_')) return badRequest(`the upload breaks a limit (${code})`);
  if (status === 400) return badRequest('the request is malformed');
  return undefined;
}
