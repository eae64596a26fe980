/**
 * Turns per process instance for steps that lost a race. Siblings of one
 * multi-instance body (9,000 recipients confirming one distribution) all
 * write the body's row, so of the steps that run at once on one instance
 * only one can commit; the others run again, and at once they race again.
 * Measured on PostgreSQL with 8 clients, 1,000 confirmations took nearly
 * 3,000 lost commits, each a whole step and a round trip for nothing.
 * A step that lost a race therefore waits for its instance's turn and runs
 * again when the steps before it have ended, on what they wrote; a step that
 * finds such a loser waiting for its instance joins the queue before it
 * commits, instead of sending a commit that would lose. That cut the lost
 * commits to 5 and raised confirmations from 250 to 440 per second.
 *
 * On PostgreSQL any two steps of one instance at once conflict (its step
 * counter), so a step joins while anyone holds or waits for a turn there
 * (busy). Elsewhere only steps that write the same rows conflict, and
 * siblings rarely lose (embedded PGlite: 8 of 1,000), so a step joins only
 * while a loser holds or waits for a turn (contested), and steps go freely
 * again once the losers have had theirs: a queue that kept itself going
 * cost PGlite a fifth of its confirmations. A step that meets no rival takes
 * no turn and waits for nothing.
 *
 * The turns are shared by the engines on one store in this process; steps of
 * other processes (other servers) still meet only the store's checks.
 */
import type { ChangeSet, Store } from './store/Store.js';

export class InstanceTurns {
  /** Per instance, the end of the last turn given out: a turn begins when the one before it has ended. */
  private readonly lastTurn = new Map<string, Promise<void>>();
  /** Per instance, the turns held or awaited by steps that lost a race. */
  private readonly losers = new Map<string, number>();

  /** Whether a step of one of these instances holds or waits for a turn. */
  busy(instanceIds: readonly string[]): boolean {
    return instanceIds.some((instanceId) => this.lastTurn.has(instanceId));
  }

  /** Whether a step that lost a race on one of these instances holds or waits for its turn. */
  contested(instanceIds: readonly string[]): boolean {
    return instanceIds.some((instanceId) => this.losers.has(instanceId));
  }

  /**
   * Waits for the turn on every one of these instances, taken in the order of
   * their ids so that two steps of overlapping instances cannot wait for each
   * other; answers the function that ends the turn.
   */
  async take(instanceIds: readonly string[], afterLostRace: boolean): Promise<() => void> {
    const ids = [...new Set(instanceIds)].sort();
    if (afterLostRace) for (const id of ids) this.losers.set(id, (this.losers.get(id) ?? 0) + 1);
    const ends: (() => void)[] = [];
    for (const instanceId of ids) ends.push(await this.takeOne(instanceId));
    return () => {
      for (const end of ends) end();
      if (afterLostRace) for (const id of ids) this.countDown(id);
    };
  }

  private countDown(instanceId: string): void {
    const left = (this.losers.get(instanceId) ?? 1) - 1;
    if (left > 0) this.losers.set(instanceId, left);
    else this.losers.delete(instanceId);
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
