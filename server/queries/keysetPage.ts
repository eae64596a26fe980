/**
 * One page of a keyset-paged list (see ../http/cursor.ts). Each query asks
 * for one row more than the page holds: if it comes back, a next page exists,
 * and it starts after the page's last row.
 */
import type { CursorPosition } from '../http/cursor.js';

export interface KeysetPage<T> {
  items: T[];
  /** Where the next page starts; absent on the last page. */
  next?: CursorPosition;
}

/** The first `limit` of `rows`, fetched with limit + 1, and where the page after them starts. */
export function keysetPage<T>(rows: T[], limit: number, positionOf: (row: T) => CursorPosition): KeysetPage<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, ...(rows.length > limit && last !== undefined ? { next: positionOf(last) } : {}) };
}
