/**
 * Turns per process instance for steps that lost a race. Siblings of one
 * multi-instance body (9,000 recipients confirming one distribution) all
 * write the body's row, so of the steps that run at once on one instance
 * only one can commit; the others run again, and at once they race again.
 * Measured on PostgreSQL with 8 clients, 1,000 confirmations took nearly
 * 3,000 lost commits, each a whole step and a round trip for nothing.
 * A step that lost a race therefore waits for its instance's turn and runs
 * again when the steps before it have ended, on what they wrote; a step that
 * finds others waiting for its instance joins them before it commits,
 * instead of sending a commit that would lose. A step that meets no rival
 * takes no turn and waits for nothing.
 *
 * The turns are shared by the engines on one store in this process; steps of
 * other processes (other servers) still meet only the store's checks.
 */
import type { ChangeSet, Store } from './store/Store.js';

export class InstanceTurns {
  /** Per instance, the end of the last turn given out: a turn begins when the one before it has ended. */
  private readonly lastTurn = new Map<string, Promise<void>>();

  /** Whether a step of one of these instances holds or waits for a turn. */
  busy(instanceIds: readonly string[]): boolean {
    return instanceIds.some((instanceId) => this.lastTurn.has(instanceId));
  }

  /**
   * Waits for the turn on every one of these instances, taken in the order of
   * their ids so that two steps of overlapping instances cannot wait for each
   * other; answers the function that ends the turn.
   */
  async take(instanceIds: readonly string[]): Promise<() => void> {
    const ends: (() => void)[] = [];
    for (const instanceId of [...new Set(instanceIds)].sort()) ends.push(await this.takeOne(instanceId));
    return () => { for (const end of ends) end(); };
  }

  private async takeOne(instanceId: string): Promise<() => void> {
    const before = this.lastTurn.get(instanceId) ?? Promise.resolve();
    let end!: () => void;
    const ended = new Promise<void>((resolve) => { end = resolve; });
    const turn = before.then(() => ended);
    this.lastTurn.set(instanceId, turn);
    await before;
    return () => {
      end();
      // The last turn of an instance leaves nothing behind.
      if (this.lastTurn.get(instanceId) === turn) this.lastTurn.delete(instanceId);
    };
  }
}

const turnsByStore = new WeakMap<Store, InstanceTurns>();

/** The turns of the engines on `store`. */
export function instanceTurnsOf(store: Store): InstanceTurns {
  let turns = turnsByStore.get(store);
  if (!turns) turnsByStore.set(store, turns = new InstanceTurns());
  return turns;
}

/** The process instances a change set writes. */
export function instancesWrittenBy(changes: ChangeSet): string[] {
  const ids = new Set<string>();
  for (const record of changes.instances) ids.add(record.id);
  for (const record of changes.elementInstances.put) ids.add(record.instanceId);
  for (const record of changes.userTasks) ids.add(record.instanceId);
  for (const event of changes.history) ids.add(event.instanceId);
  return [...ids];
}
