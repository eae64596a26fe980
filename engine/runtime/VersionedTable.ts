/**
 * The working copies of one kind of versioned record during a step: reads see
 * the step's own writes, and at the end the dirty records become the change
 * set with their next rev. Records read from the snapshot are copied first, so
 * a step that is run again (after loading what it missed) starts clean.
 */
export interface Versioned {
  id: string;
  rev: number;
}

export class VersionedTable<T extends Versioned> {
  private readonly working = new Map<string, T>();
  private readonly originRev = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Map<string, number>();
  /** Made and removed in this step: gone, and never to be looked up in the snapshot. */
  private readonly dropped = new Set<string>();

  /** The record by id; `fromSnapshot` is asked only the first time (and may throw MissingRecords). */
  get(id: string, fromSnapshot: () => T | undefined): T | undefined {
    if (this.removed.has(id) || this.dropped.has(id)) return undefined;
    const current = this.working.get(id);
    if (current) return current;
    const stored = fromSnapshot();
    if (!stored) return undefined;
    const copy = copyRecord(stored);
    this.working.set(id, copy);
    this.originRev.set(id, stored.rev);
    return copy;
  }

  /** Made in this step: nothing about it is stored yet. */
  isNew(id: string): boolean {
    return this.originRev.get(id) === 0;
  }

  isRemoved(id: string): boolean {
    return this.removed.has(id);
  }

  put(record: T): void {
    if (!this.originRev.has(record.id)) this.originRev.set(record.id, 0);
    this.dropped.delete(record.id);
    this.working.set(record.id, record);
    this.dirty.add(record.id);
  }

  remove(id: string): void {
    const origin = this.originRev.get(id);
    this.working.delete(id);
    this.dirty.delete(id);
    if (origin === undefined || origin === 0) {
      if (origin === 0) this.dropped.add(id);
      this.originRev.delete(id);
      return;
    }
    this.removed.set(id, origin);
  }

  /** Every record the step has seen or made and not removed. */
  values(): IterableIterator<T> {
    return this.working.values();
  }

  puts(): T[] {
    return [...this.dirty].map((id) => {
      const record = this.working.get(id) as T;
      return { ...record, rev: (this.originRev.get(id) ?? 0) + 1 };
    });
  }

  removals(): { id: string; rev: number }[] {
    return [...this.removed].map(([id, rev]) => ({ id, rev }));
  }
}

/** Copies a record one level deep: its arrays and nested objects are fresh, its variable values are shared (they are never changed in place). */
export function copyRecord<T extends object>(record: T): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const [key, value] of Object.entries(copy)) {
    if (Array.isArray(value)) copy[key] = value.slice();
    else if (value && typeof value === 'object') copy[key] = { ...value };
  }
  return copy as T;
}
