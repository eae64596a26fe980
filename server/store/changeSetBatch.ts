/**
 * Many steps' change sets committed as one (see Batcher). umlauf_commit
 * applies a change set table by table, so a merged change set is the same as
 * committing its parts one after the other only when no two parts touch the
 * same row: their footprints must be disjoint. Steps that do touch the same
 * row (siblings confirming one distribution) go in separate calls, and the
 * later one meets the rev check as it would alone.
 */
import { emptyChangeSet, type ChangeSet } from '../../engine/index.js';

/** Every row a change set writes or removes, and every variable scope and multi-instance body it writes into. */
export function footprint(changes: ChangeSet): Set<string> {
  const keys = new Set<string>();
  const add = (kind: string, ids: Iterable<string>): void => {
    for (const id of ids) keys.add(`${kind}\u0000${id}`);
  };
  const ids = (records: { id: string }[]): string[] => records.map((record) => record.id);
  add('instance', ids(changes.instances));
  add('elementInstance', [...ids(changes.elementInstances.put), ...ids(changes.elementInstances.remove)]);
  add('variableScope', [...changes.variables.put.map((record) => record.scopeId), ...changes.variables.removeScopes]);
  add('userTask', ids(changes.userTasks));
  add('job', [...ids(changes.jobs.put), ...ids(changes.jobs.remove)]);
  add('subscription', [...ids(changes.subscriptions.put), ...ids(changes.subscriptions.remove)]);
  add('incident', ids(changes.incidents));
  add('outputs', [...changes.multiInstanceOutputs.put.map((record) => record.bodyId), ...changes.multiInstanceOutputs.removeBodies]);
  return keys;
}

export function disjoint(one: Set<string>, other: Set<string>): boolean {
  const [smaller, larger] = one.size <= other.size ? [one, other] : [other, one];
  for (const key of smaller) if (larger.has(key)) return false;
  return true;
}

/** One change set holding all of them, each list in the order of the parts (history stays in step order). */
export function mergeChangeSets(parts: ChangeSet[]): ChangeSet {
  if (parts.length === 1) return parts[0]!;
  const merged = emptyChangeSet();
  for (const part of parts) {
    merged.instances.push(...part.instances);
    merged.elementInstances.put.push(...part.elementInstances.put);
    merged.elementInstances.remove.push(...part.elementInstances.remove);
    merged.variables.put.push(...part.variables.put);
    merged.variables.removeScopes.push(...part.variables.removeScopes);
    merged.userTasks.push(...part.userTasks);
    merged.jobs.put.push(...part.jobs.put);
    merged.jobs.remove.push(...part.jobs.remove);
    merged.subscriptions.put.push(...part.subscriptions.put);
    merged.subscriptions.remove.push(...part.subscriptions.remove);
    merged.incidents.push(...part.incidents);
    merged.multiInstanceOutputs.put.push(...part.multiInstanceOutputs.put);
    merged.multiInstanceOutputs.removeBodies.push(...part.multiInstanceOutputs.removeBodies);
    merged.history.push(...part.history);
  }
  return merged;
}

/** How many rows a change set writes or removes. */
export function rowCount(changes: ChangeSet): number {
  return changes.instances.length + changes.elementInstances.put.length + changes.elementInstances.remove.length
    + changes.variables.put.length + changes.variables.removeScopes.length + changes.userTasks.length
    + changes.jobs.put.length + changes.jobs.remove.length + changes.subscriptions.put.length + changes.subscriptions.remove.length
    + changes.incidents.length + changes.multiInstanceOutputs.put.length + changes.multiInstanceOutputs.removeBodies.length
    + changes.history.length;
}
