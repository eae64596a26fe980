/** A multimap from a key to ids, for the in-memory store's lookups. */
export class Index {
  private readonly entries = new Map<string, Set<string>>();

  add(key: string, id: string): void {
    let ids = this.entries.get(key);
    if (!ids) this.entries.set(key, (ids = new Set()));
    ids.add(id);
  }

  remove(key: string, id: string): void {
    const ids = this.entries.get(key);
    ids?.delete(id);
    if (ids?.size === 0) this.entries.delete(key);
  }

  ids(key: string): string[] {
    return [...(this.entries.get(key) ?? [])];
  }
}
