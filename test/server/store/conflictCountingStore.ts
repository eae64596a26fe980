/** A KnexStore that counts the commits that lost a race (the engine runs those steps again on fresh data). */
import { ConflictError, type ChangeSet, type StepRun } from '../../../engine/index.js';
import { KnexStore } from '../../../server/store/KnexStore.js';

export class ConflictCountingStore extends KnexStore {
  conflicts = 0;
  override async commit(changes: ChangeSet, run?: StepRun): Promise<void> {
    try {
      await super.commit(changes, run);
    } catch (error) {
      if (error instanceof ConflictError) this.conflicts += 1;
      throw error;
    }
  }
}
