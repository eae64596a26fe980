/**
 * Turns per instance for steps that lost a race (engine/InstanceTurns.ts):
 * first the turns on their own, then sibling completions of one
 * multi-instance body on a store that holds every commit until all rivals
 * have sent theirs, so who races whom is decided by the test, not by timing.
 */
import { expect } from 'chai';
import { ConflictError, Engine, MemoryStore, type ChangeSet } from '../../engine/index.js';
import { InstanceTurns, instanceTurnsOf } from '../../engine/InstanceTurns.js';
import { deferred, type Deferred } from '../support/deferred.js';
import { fixture } from '../support/scenario.js';

const confirmAll = fixture(import.meta.url, 'instanceTurns.bpmn');
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('turns per instance', () => {
  it('gives the turns of one instance one after another, in the order asked', async () => {
    const turns = new InstanceTurns();
    const order: string[] = [];
    const endFirst = await turns.take(['i-1'], true);
    const second = turns.take(['i-1'], true).then((end) => { order.push('second'); return end; });
    const third = turns.take(['i-1'], true).then((end) => { order.push('third'); return end; });
    await settled();
    expect(order, 'nobody goes while the first turn lasts').to.deep.equal([]);
    endFirst();
    (await second)();
    (await third)();
    expect(order).to.deep.equal(['second', 'third']);
  });

  it('lets other instances go, and knows an instance busy only while a turn lasts or waits', async () => {
    const turns = new InstanceTurns();
    const end = await turns.take(['i-1'], true);
    expect(turns.busy(['i-2', 'i-1'])).to.equal(true);
    (await turns.take(['i-2'], true))();
    expect(turns.busy(['i-2'])).to.equal(false);
    end();
    expect(turns.busy(['i-1'])).to.equal(false);
  });

  it('knows an instance contested only while a step that lost a race holds or waits for a turn there', async () => {
    const turns = new InstanceTurns();
    const endJoined = await turns.take(['i-1'], false);
    expect(turns.busy(['i-1'])).to.equal(true);
    expect(turns.contested(['i-1']), 'a step that only joined').to.equal(false);
    const loser = turns.take(['i-1'], true);
    expect(turns.contested(['i-1']), 'a loser waiting').to.equal(true);
    endJoined();
    const endLoser = await loser;
    expect(turns.contested(['i-1']), 'a loser holding its turn').to.equal(true);
    endLoser();
    expect(turns.contested(['i-1'])).to.equal(false);
  });

  it('takes several instances in the order of their ids, so overlapping steps cannot wait for each other', async () => {
    const turns = new InstanceTurns();
    const one = turns.take(['b', 'a'], true);
    const other = turns.take(['a', 'b'], false);
    (await one)();
    (await other)();
    expect(turns.busy(['a', 'b'])).to.equal(false);
  });
});

/** A MemoryStore that holds commits until `rivals` have arrived, then lets them through one by one; counts lost ones. */
class RaceStore extends MemoryStore {
  submitted = 0;
  lost = 0;
  private gate: Deferred<void> | undefined;
  private rivals = 0;

  /** The next `count` commits wait for each other, so that all of them were computed on the same state. */
  holdUntil(count: number): void {
    this.rivals = count;
    this.gate = deferred<void>();
  }

  override async commit(changes: ChangeSet): Promise<void> {
    this.submitted += 1;
    if (this.gate) {
      if (this.submitted >= this.rivals) this.gate.resolve();
      await this.gate.promise;
    }
    try {
      await super.commit(changes);
    } catch (error) {
      if (error instanceof ConflictError) this.lost += 1;
      throw error;
    }
  }
}

/** An instance of confirm-all for two recipients on `store`, its commits counted from here on. */
async function twoConfirmationsOpen(store: RaceStore) {
  const engine = new Engine({ store });
  await engine.deploy(confirmAll);
  const instance = await engine.startProcess('confirm-all', { recipients: ['anna', 'ben'] });
  const [task] = await store.listUserTasks({ instanceId: instance.id, state: 'open' });
  store.submitted = 0;
  return { engine, instance, task: task! };
}

describe('sibling completions of one multi-instance body', () => {
  it('after losing a race, run again one after another: each loser commits once more, and never loses twice', async () => {
    const store = new RaceStore();
    const engines = [new Engine({ store }), new Engine({ store }), new Engine({ store })];
    await engines[0]!.deploy(confirmAll);
    const instance = await engines[0]!.startProcess('confirm-all', { recipients: ['anna', 'ben', 'carla', 'dora'] });
    const tasks = await store.listUserTasks({ instanceId: instance.id, state: 'open' });
    store.submitted = 0;
    store.holdUntil(3);

    await Promise.all(engines.map((engine, index) => engine.completeUserTask(tasks[index]!.id)));

    // Three commits computed on one state: one lands, two lose; the two run again in turn and both land.
    // Racing each other again, as before, one of them would have lost a second time.
    expect(store.lost).to.equal(2);
    expect(store.submitted).to.equal(5);
    const open = await store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.assignee)).to.deep.equal(['dora']);
    await engines[0]!.completeUserTask(open[0]!.id);
    expect((await engines[0]!.getInstance(instance.id)).state).to.equal('completed');
  });

  it('a step that finds others waiting for its instance joins them instead of sending a commit that would lose', async () => {
    const store = new RaceStore();
    const { engine, instance, task } = await twoConfirmationsOpen(store);
    // As if a step of this instance had lost a race and held its turn.
    const endTurn = await instanceTurnsOf(store).take([instance.id], true);

    const completion = engine.completeUserTask(task.id);
    await settled();
    await settled();
    expect(store.submitted, 'no commit while the turn before it lasts').to.equal(0);
    endTurn();
    await completion;
    expect(store.submitted).to.equal(1);
    expect(store.lost).to.equal(0);
    expect(instanceTurnsOf(store).busy([instance.id])).to.equal(false);
  });

  it('where any two steps of an instance conflict, joins behind every turn; elsewhere only behind a loser\'s', async () => {
    for (const [store, joins] of [[new CounterLikeStore(), true], [new RaceStore(), false]] as const) {
      const { engine, instance, task } = await twoConfirmationsOpen(store);
      // As if a step had joined a queue there and held its turn, without having lost a race.
      const endTurn = await instanceTurnsOf(store).take([instance.id], false);

      const completion = engine.completeUserTask(task.id);
      await settled();
      await settled();
      expect(store.submitted, `${store.constructor.name}: commits sent while a joined step holds its turn`).to.equal(joins ? 0 : 1);
      endTurn();
      await completion;
      expect(store.submitted).to.equal(1);
    }
  });
});

/** Like a store with a step counter per instance (KnexStore on PostgreSQL). */
class CounterLikeStore extends RaceStore {
  readonly stepsOfAnInstanceConflict = true;
}
