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

/** Every list of a change set, always in the same order, so that two change sets' lists pair up. */
function listsOf(changes: ChangeSet): unknown[][] {
  return [
    changes.instances, changes.elementInstances.put, changes.elementInstances.remove, changes.variables.put,
    changes.variables.removeScopes, changes.userTasks, changes.jobs.put, changes.jobs.remove, changes.subscriptions.put,
    changes.subscriptions.remove, changes.incidents, changes.multiInstanceOutputs.put, changes.multiInstanceOutputs.removeBodies,
    changes.history,
  ];
}

/** One change set holding all of them, each list in the order of the parts (history stays in step order). */
export function mergeChangeSets(parts: ChangeSet[]): ChangeSet {
  if (parts.length === 1) return parts[0]!;
  const merged = emptyChangeSet();
  const into = listsOf(merged);
  for (const part of parts) listsOf(part).forEach((list, index) => into[index]!.push(...list));
  return merged;
}

/** How many rows a change set writes or removes. */
export function rowCount(changes: ChangeSet): number {
  return listsOf(changes).reduce((sum, list) => sum + list.length, 0);
}
