/**
 * A step's run (Store's StepRun): the loads and the commit of one run name the
 * same run, and a run whose command failed runs again when the store says
 * what it answered that run is no longer current.
 */
import { expect } from 'chai';
import { ConflictError, Engine, MemoryStore, type ChangeSet, type Loaded, type LoadKey, type StepRun } from '../../engine/index.js';
import { fixture } from '../support/scenario.js';

const oneTask = fixture(import.meta.url, 'stepRun.bpmn');

/** Records the run each load and commit names; its answer to confirmReads is set by the test. */
class RunRecordingStore extends MemoryStore {
  readonly loads: (StepRun | undefined)[] = [];
  readonly commits: (StepRun | undefined)[] = [];
  readonly confirmed: StepRun[] = [];
  /** What confirmReads answers, one per call; true once they are used up. */
  readonly confirmations: boolean[] = [];

  override async load(keys: LoadKey[], run?: StepRun): Promise<Loaded[]> {
    this.loads.push(run);
    return super.load(keys);
  }

  override async commit(changes: ChangeSet, run?: StepRun): Promise<void> {
    this.commits.push(run);
    return super.commit(changes);
  }

  async confirmReads(run: StepRun): Promise<boolean> {
    this.confirmed.push(run);
    return this.confirmations.shift() ?? true;
  }
}

async function waitingAtTask(): Promise<{ store: RunRecordingStore; engine: Engine; taskId: string }> {
  const store = new RunRecordingStore();
  const engine = new Engine({ store });
  await engine.deploy(oneTask);
  const instance = await engine.startProcess('one-task');
  const [task] = await store.listUserTasks({ instanceId: instance.id });
  store.loads.length = 0;
  store.commits.length = 0;
  return { store, engine, taskId: task!.id };
}

describe('a step run', () => {
  it('names one run in all its loads and its commit', async () => {
    const { store, engine, taskId } = await waitingAtTask();
    await engine.completeUserTask(taskId);
    expect(store.loads.length).to.be.greaterThan(0);
    expect(store.commits).to.have.length(1);
    const [run] = store.commits;
    expect(run).to.be.an('object');
    expect(store.loads.every((load) => load === run)).to.equal(true);
    expect(store.confirmed, 'a run that commits is confirmed by its commit').to.deep.equal([]);
  });

  it('confirms the reads of a run whose command failed, and runs it again when they were not current', async () => {
    const { store, engine, taskId } = await waitingAtTask();
    await engine.completeUserTask(taskId);
    store.loads.length = 0;
    store.confirmations.push(false);

    const failure = await engine.completeUserTask(taskId).then(() => undefined, (error: unknown) => error);
    expect(failure, 'the task is no longer open').to.be.instanceOf(ConflictError);
    expect(store.confirmed, 'both runs asked').to.have.length(2);
    expect(store.confirmed[0]).to.not.equal(store.confirmed[1]);
    expect(new Set(store.loads)).to.deep.equal(new Set(store.confirmed));
  });

  it('answers the command\'s error at once when the reads were current', async () => {
    const { store, engine, taskId } = await waitingAtTask();
    await engine.completeUserTask(taskId);
    store.loads.length = 0;

    const failure = await engine.completeUserTask(taskId).then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.instanceOf(ConflictError);
    expect(store.confirmed).to.have.length(1);
    expect(new Set(store.loads).size).to.equal(1);
  });
});
