/**
 * The latest version of each process, as this server last saw it, so that a
 * start does not ask the database first. On embedded PGlite this process is
 * the one writer, so what it saw is current. On PostgreSQL another server
 * may deploy a newer version at any time: there the versions a step run took
 * as the latest go with its commit, which umlauf_commit_confirmed refuses
 * when one is no longer the latest (migrations/012), and the step runs again
 * on what the database answers then.
 */
import type { DefinitionRecord, StepRun } from '../../engine/index.js';

/** Process id to the version a step run took as its latest. */
export type TakenVersions = Map<string, number>;

export class LatestVersions {
  /** The versions each run took, until its commit (or confirmReads) takes them over. */
  private readonly taken = new WeakMap<StepRun, TakenVersions>();

  /**
   * `seen` is shared by the stores on one database in this process;
   * `confirmedAtCommit` says whether others write to it (PostgreSQL);
   * `ask` asks the database for a process's latest version.
   */
  constructor(
    private readonly seen: Map<string, DefinitionRecord>,
    private readonly confirmedAtCommit: boolean,
    private readonly ask: (processId: string) => Promise<DefinitionRecord | undefined>,
  ) {}

  /** The latest version of a process; for a run on PostgreSQL noted, to be confirmed when it commits. */
  async latest(processId: string, run?: StepRun): Promise<DefinitionRecord | undefined> {
    const seen = this.seen.get(processId);
    // Without a run nothing would confirm an answer from memory, so on PostgreSQL the database answers.
    const latest = seen && (run || !this.confirmedAtCommit) ? seen : await this.ask(processId);
    if (!latest) return undefined;
    this.saw(latest);
    if (run && this.confirmedAtCommit) {
      let taken = this.taken.get(run);
      if (!taken) this.taken.set(run, taken = new Map());
      if (!taken.has(processId)) taken.set(processId, latest.version);
    }
    return latest;
  }

  /** Keeps a version seen in a deployment or an answer, unless a newer one was seen already (versions only grow). */
  saw(definition: DefinitionRecord): void {
    const seen = this.seen.get(definition.processId);
    if (!seen || seen.version < definition.version) this.seen.set(definition.processId, definition);
  }

  /** The versions a run took, handed over once: to its commit, or to confirmReads. */
  takenBy(run: StepRun | undefined): TakenVersions {
    if (!run) return new Map();
    const taken = this.taken.get(run);
    this.taken.delete(run);
    return taken ?? new Map();
  }

  /** After a commit that was refused (or may not have landed): the versions it took are asked for again next time. */
  forget(taken: TakenVersions): void {
    for (const [processId, version] of taken) if (this.seen.get(processId)?.version === version) this.seen.delete(processId);
  }

  /** Whether the versions a run took are still the latest (a run that ends without a commit); those that are not are forgotten. */
  async stillLatest(taken: TakenVersions): Promise<boolean> {
    let current = true;
    for (const [processId, version] of taken) {
      const latest = await this.ask(processId);
      if (latest) this.saw(latest);
      if (latest?.version !== version) {
        current = false;
        this.forget(new Map([[processId, version]]));
      }
    }
    return current;
  }
}
