/**
 * Opaque page cursors for keyset pagination: the sort, and the sort value and
 * id of the last item of a page. Keyset pages stay fast and stable however many
 * rows lie before them, unlike offsets. A cursor is checked against the sort it
 * is used with, so a stale or forged one is a 400, not a database error.
 */
import { badRequest } from './errors.js';

export interface CursorPosition {
  /** The sort value of the last item: a timestamp as text ('infinity' for none) or a number as text. */
  value: string;
  id: string;
}

/** What the sort value is: a point in time or a whole number. */
export type SortValueKind = 'time' | 'integer';

export function encodeCursor(sort: string, position: CursorPosition): string {
  return Buffer.from(JSON.stringify([sort, position.value, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, sort: string, kind: SortValueKind): CursorPosition | undefined {
  if (cursor === undefined) return undefined;
  const decoded = parse(cursor);
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== sort) throw badRequest(`the cursor is not one this API gave out for sort=${sort}`);
  const [, value, id] = decoded as unknown[];
  if (typeof value !== 'string' || typeof id !== 'string' || !fits(value, kind)) throw badRequest('the cursor is not one this API gave out');
  return { value, id };
}

function parse(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function fits(value: string, kind: SortValueKind): boolean {
  if (kind === 'integer') return /^-?\d{1,10}$/.test(value);
  return value === 'infinity' || !Number.isNaN(Date.parse(value));
}
