/**
 * The identity layer's errors, so that callers (the HTTP API) can map them to
 * statuses without reading database error codes: conflict → 409, not found →
 * 404, invalid → 422.
 */

/**
 * Thrown when a change would clash with what exists: a duplicate user or group
 * id, a group parent that would make a cycle, deleting a group that still has
 * child groups. `id` names the object in the way.
 */
export class IdentityConflictError extends Error {
  override readonly name = 'IdentityConflictError';
  constructor(message: string, readonly id: string) {
    super(message);
  }
}

/**
 * Thrown when a user, group, membership, deputy or API token that a call names
 * does not exist. `kind` says which sort of object, `id` which one.
 */
export class IdentityNotFoundError extends Error {
  override readonly name = 'IdentityNotFoundError';
  constructor(readonly kind: string, readonly id: string) {
    super(`${kind} ${id} does not exist`);
  }
}

/**
 * Thrown when a value breaks a rule the schema enforces: an unknown role, a
 * deputy for oneself, an absence period that ends before it starts.
 */
export class IdentityValidationError extends Error {
  override readonly name = 'IdentityValidationError';
}

/** The SQLSTATE of a pg or PGlite error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const uniqueViolation = '23505';
export const foreignKeyViolation = '23503';
export const checkViolation = '23514';

/**
 * Runs a write and turns the database's constraint errors into identity
 * errors: a duplicate key is a conflict on `id`, a missing referenced row is
 * `missing` (what the write referred to), a failed check is invalid input.
 */
export async function mapConstraintErrors<T>(
  write: () => Promise<T>, id: string, missing: () => IdentityNotFoundError | IdentityConflictError,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const state = sqlState(error);
    if (state === uniqueViolation) throw new IdentityConflictError(`${id} exists already`, id);
    if (state === foreignKeyViolation) throw missing();
    if (state === checkViolation) throw new IdentityValidationError((error as Error).message);
    throw error;
  }
}
