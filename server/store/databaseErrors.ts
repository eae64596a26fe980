/**
 * Whether the database looked at a request and refused it (bad data, a
 * constraint, a row written twice, a raised exception), as opposed to not
 * answering at all (a connection cut, the server restarting, a timeout):
 * SQLSTATE classes 21, 22, 23 and P0. Sending the same again is worth it
 * only in the second case.
 */
export function answeredByDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(21|22|23|P0)/.test(code);
}
