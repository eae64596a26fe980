/**
 * Group commit on the real database: steps that arrive while a call is in
 * flight share the next umlauf_load and umlauf_commit call, and each still
 * gets its own answer. A tap on the store's step-function calls counts them,
 * reads what each carried and can hold them back; holding the first commit
 * until every step has submitted its own makes the batches the test expects
 * certain, whatever the speed of the database.
 */
import { expect } from 'chai';
import { ConflictError, Engine, emptyChangeSet, type ChangeSet, type Loaded, type LoadKey, type ScopeChain, type StepRun } from '../../../engine/index.js';
import type { ElementInstanceRecord, HistoryEvent } from '../../../engine/types.js';
import { KnexStore, type BatchSettings, type KnexStoreOptions } from '../../../server/store/KnexStore.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';
import { StepFunctionTap } from './stepFunctionTap.js';

/** start → one user task → end. */
const oneTask = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="batched" targetNamespace="batched">
  <bpmn:process id="one-task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

/** A KnexStore that tells when a number of commits have been submitted to its batcher. */
class SubmissionCountingStore extends KnexStore {
  private submitted = 0;
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  override commit(changes: ChangeSet, run?: StepRun): Promise<void> {
    this.submitted += 1;
    for (const waiter of this.waiting.filter(({ count }) => count <= this.submitted)) waiter.resolve();
    return super.commit(changes, run);
  }

  /**
   * Resolves once `more` further commits are submitted; fails when `steps`
   * end before that (a step failed, or it never commits), instead of hanging.
   */
  async awaitSubmissions(more: number, steps: Promise<unknown>): Promise<void> {
    const count = this.submitted + more;
    const reached = new Promise<void>((resolve) => this.waiting.push({ count, resolve }));
    const endedEarly = steps.then(() => {
      if (this.submitted < count) throw new Error(`the steps ended after ${this.submitted} of ${count} commits`);
    });
    await Promise.race([reached, endedEarly]);
  }
}

interface Work {
  instanceId: string;
  taskId: string;
  initiator: string;
}

describe(`batched loads and commits on ${databaseKind}`, function () {
  this.timeout(60_000);
  const db = useTestDatabase();

  async function setUp(batching: BatchSettings, options: KnexStoreOptions = {}): Promise<{ tap: StepFunctionTap; store: SubmissionCountingStore; engine: Engine }> {
    await db.current.freshStore();
    const tap = new StepFunctionTap();
    const store = new SubmissionCountingStore(tap.wrap(db.current.database.knex), batching, options);
    const engine = new Engine({ store });
    await engine.deploy(oneTask);
    return { tap, store, engine };
  }

  /** Instances started one after the other, each waiting at its user task. */
  async function startInstances(engine: Engine, count: number): Promise<Work[]> {
    const work: Work[] = [];
    for (let index = 0; index < count; index++) {
      const initiator = `user-${index}`;
      const instance = await engine.startProcess('one-task', { initiator });
      const [task] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      work.push({ instanceId: instance.id, taskId: task!.id, initiator });
    }
    return work;
  }

  /** Asserts that the instance ran to its end once, with the answer its task was completed with. */
  async function expectCompleted(engine: Engine, { instanceId, taskId }: Work, answer: unknown): Promise<void> {
    const instance = await engine.getInstance(instanceId);
    expect(instance.state).to.equal('completed');
    expect(instance.variables['answer']).to.equal(answer);
    expect((await engine.getUserTask(taskId)).state).to.equal('completed');
    const completed = (await engine.history(instanceId)).filter((event) => event.type === 'completed');
    expect(completed.map(({ elementId, elementInstanceId }) => ({ elementId, elementInstanceId }))).to.deep.include.members([
      { elementId: 'review', elementInstanceId: taskId },
      { elementId: 'one-task', elementInstanceId: instanceId },
    ]);
    expect(completed.filter((event) => event.elementId === 'review')).to.have.length(1);
    expect(completed.filter((event) => event.elementId === 'end')).to.have.length(1);
  }

  /**
   * Completes the tasks of 12 instances at once while commits are held until
   * every step has submitted (and the turn of the event loop in which they
   * did has ended); checks that every one landed and answers how many steps
   * each umlauf_commit carried, and how many calls were in flight, held,
   * before the commits were let go.
   */
  async function completeTwelveHeld(batching: BatchSettings): Promise<{ sizes: number[]; heldAtOnce: number }> {
    const { tap, store, engine } = await setUp(batching);
    const work = await startInstances(engine, 12);
    tap.forget();
    const totalsBefore = store.commitTotals();
    tap.hold('umlauf_commit');
    const completions = Promise.all(work.map(({ taskId }, index) => engine.completeUserTask(taskId, { answer: index })));
    await store.awaitSubmissions(work.length, completions);
    await new Promise((resolve) => setImmediate(resolve));
    const heldAtOnce = tap.callsOf('umlauf_commit').length;
    tap.release('umlauf_commit');
    await completions;
    expect(tap.callsOf('umlauf_commit').some((call) => call.failed)).to.equal(false);
    for (const [index, item] of work.entries()) await expectCompleted(engine, item, index);
    const sizes = tap.changeSetsPerCommit();
    // The store's own totals tell the same as the tap.
    const totals = store.commitTotals();
    expect({ calls: totals.calls - totalsBefore.calls, requests: totals.requests - totalsBefore.requests }).to.deep.equal({ calls: sizes.length, requests: work.length });
    expect(totals.busyMilliseconds).to.be.above(totalsBefore.busyMilliseconds);
    return { sizes, heldAtOnce };
  }

  describe('commits', () => {
    it('sends the steps that arrive while a commit is in flight as one umlauf_commit, and lands every one', async () => {
      expect(await completeTwelveHeld({ maxInFlight: 1, maxBatch: 32 })).to.deep.equal({ sizes: [1, 11], heldAtOnce: 1 });
    });

    it('on PostgreSQL sends pipelinedCommits commits at once, one behind the other; on PGlite one', async () => {
      const result = await completeTwelveHeld({ maxInFlight: 1, maxBatch: 32, pipelinedCommits: 2 });
      // The first step finds nothing in flight and goes alone. On PostgreSQL the second slot takes the other
      // eleven, which submitted within one turn of the event loop (Batcher.pump), while the first is still held.
      expect(result).to.deep.equal({ sizes: [1, 11], heldAtOnce: databaseKind === 'PostgreSQL' ? 2 : 1 });
    });

    it('puts no more than maxBatch steps in one commit and loses none when far more arrive at once', async () => {
      const { tap, engine } = await setUp({ maxInFlight: 1, maxBatch: 4 });
      const work = await startInstances(engine, 30);
      tap.forget();
      await Promise.all(work.map(({ taskId }, index) => engine.completeUserTask(taskId, { answer: index })));

      const sizes = tap.changeSetsPerCommit();
      expect(Math.max(...sizes)).to.be.at.most(4);
      expect(sizes.reduce((sum, size) => sum + size, 0)).to.equal(30);
      expect(tap.callsOf('umlauf_commit').some((call) => call.failed)).to.equal(false);
      for (const [index, item] of work.entries()) await expectCompleted(engine, item, index);
    });

    it('when one change set of a batch is stale, commits the others and gives only that one a ConflictError', async () => {
      const { tap, store, engine } = await setUp({ maxInFlight: 1, maxBatch: 32 });
      const [contested, ...others] = await startInstances(engine, 6) as [Work, ...Work[]];
      tap.forget();
      tap.hold('umlauf_commit');
      // The first completion's commit waits in flight, unapplied, so the second one loads the task still open.
      const first = engine.completeUserTask(contested.taskId, { answer: 'first' });
      await store.awaitSubmissions(1, first);
      const second = engine.completeUserTask(contested.taskId, { answer: 'second' });
      const rest = others.map(({ taskId }, index) => engine.completeUserTask(taskId, { answer: index }));
      await store.awaitSubmissions(1 + others.length, Promise.all([second, ...rest]));
      tap.release('umlauf_commit');
      const [firstOutcome, secondOutcome, ...restOutcomes] = await Promise.allSettled([first, second, ...rest]);

      expect(firstOutcome!.status).to.equal('fulfilled');
      expect(secondOutcome!.status).to.equal('rejected');
      expect((secondOutcome as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
      expect(restOutcomes.map((outcome) => outcome.status)).to.deep.equal(others.map(() => 'fulfilled'));

      // The first commit alone; the stale one merged with the others, refused as a whole; then each alone.
      const commits = tap.callsOf('umlauf_commit');
      expect(tap.changeSetsPerCommit()).to.deep.equal([1, 6, 1, 1, 1, 1, 1, 1]);
      expect(commits.map((call) => call.failed).slice(0, 2)).to.deep.equal([false, true]);
      expect(commits.slice(2).filter((call) => call.failed).flatMap((call) => tap.tasksOf(call))).to.deep.equal([contested.taskId]);

      await expectCompleted(engine, contested, 'first');
      for (const [index, item] of others.entries()) await expectCompleted(engine, item, index);
    });

    it('keeps two completions of one task out of one commit: the later goes in the next call and loses there', async () => {
      const { tap, store, engine } = await setUp({ maxInFlight: 1, maxBatch: 32 });
      const [blocker, contested, ...others] = await startInstances(engine, 6) as [Work, Work, ...Work[]];
      tap.forget();
      tap.hold('umlauf_commit');
      const blocking = engine.completeUserTask(blocker.taskId, { answer: 'blocker' });
      await store.awaitSubmissions(1, blocking);
      // Both completions of the contested task wait behind the blocker, in one queue with the others.
      const both = [engine.completeUserTask(contested.taskId, { answer: 'one' }), engine.completeUserTask(contested.taskId, { answer: 'other' })];
      const rest = others.map(({ taskId }, index) => engine.completeUserTask(taskId, { answer: index }));
      await store.awaitSubmissions(2 + others.length, Promise.all([...both, ...rest]));
      tap.release('umlauf_commit');
      const outcomes = await Promise.allSettled([blocking, ...both, ...rest]);

      expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason))
        .to.have.length(1).and.to.satisfy((reasons: unknown[]) => reasons[0] instanceof ConflictError);
      expect(tap.changeSetsPerCommit()).to.deep.equal([1, 1 + others.length, 1]);
      expect(tap.callsOf('umlauf_commit').map((call) => call.failed)).to.deep.equal([false, false, true]);
      const [winner] = outcomes.slice(1, 3).flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [['one', 'other'][index]] : []));
      await expectCompleted(engine, contested, winner);
      await expectCompleted(engine, blocker, 'blocker');
      for (const [index, item] of others.entries()) await expectCompleted(engine, item, index);
    });

    it('gives a change set the database refuses its own error and commits the others of its batch', async () => {
      await db.current.freshStore();
      const tap = new StepFunctionTap();
      const store = new KnexStore(tap.wrap(db.current.database.knex), { maxInFlight: 1, maxBatch: 32 });
      const element = (id: string, rev = 1): ElementInstanceRecord =>
        ({ id, instanceId: id, definitionKey: 'p:1', elementId: 'task', elementType: 'task', scopeId: null, tokens: 0, attached: [], rev });
      const putting = (record: ElementInstanceRecord, history: Partial<HistoryEvent> = {}): ChangeSet => {
        const changes = emptyChangeSet();
        changes.elementInstances.put.push(record);
        changes.history.push({ at: '2026-03-02T08:00:00.000Z', type: 'activated', instanceId: record.id, elementId: 'task',
          elementType: 'task', elementInstanceId: record.id, ...history });
        return changes;
      };

      // Submitted together while the first is in flight: the four go as one call, which fails, then each alone.
      const outcomes = await Promise.allSettled([
        store.commit(putting(element('in-flight'))),
        store.commit(putting(element('good-1'))),
        store.commit(putting(element('never-stored', 2))),
        store.commit(putting(element('bad-time'), { at: 'not a time' })),
        store.commit(putting(element('good-2'))),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((outcomes[2] as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
      const refused = (outcomes[3] as PromiseRejectedResult).reason as { code?: string };
      expect(refused).to.not.be.instanceOf(ConflictError);
      expect(refused.code).to.equal('22007');
      expect(tap.callsOf('umlauf_commit').map((call) => call.failed)).to.deep.equal([false, true, false, true, true, false]);
      const stored = await db.current.database.knex('element_instances').orderBy('id').pluck('id') as string[];
      expect(stored).to.deep.equal(['good-1', 'good-2', 'in-flight']);
      const history = await db.current.database.knex('history').orderBy('element_instance_id').pluck('element_instance_id') as string[];
      expect(history).to.deep.equal(['good-1', 'good-2', 'in-flight']);
    });
    it('commits a change set of more than 500 rows on its own, not behind the steps waiting in the batch', async () => {
      await db.current.freshStore();
      const tap = new StepFunctionTap();
      const store = new KnexStore(tap.wrap(db.current.database.knex), { maxInFlight: 1, maxBatch: 32 });
      const element = (id: string): ElementInstanceRecord =>
        ({ id, instanceId: id, definitionKey: 'p:1', elementId: 'task', elementType: 'task', scopeId: null, tokens: 0, attached: [], rev: 1 });
      const small = emptyChangeSet();
      small.elementInstances.put.push(element('small'));
      const large = emptyChangeSet();
      large.elementInstances.put.push(...Array.from({ length: 501 }, (_, index) => element(`large-${index}`)));

      // The small commit takes the batcher's one slot and is held there; the large one reaches the database meanwhile
      // (batched, it would still wait in the queue and the tap would have seen one call).
      tap.hold('umlauf_commit');
      const held = store.commit(small);
      const largeCall = store.commit(large);
      await new Promise((resolve) => setImmediate(resolve));
      expect(tap.changeSetsPerCommit()).to.have.length(2);
      expect(tap.callsOf('umlauf_commit').map((call) => (call.argument as { elementInstances: unknown[] }).elementInstances.length))
        .to.deep.equal([1, 501]);
      tap.release('umlauf_commit');
      await Promise.all([held, largeCall]);
      const stored = await db.current.database.knex('element_instances').count({ count: '*' }).first() as { count: string | number };
      expect(Number(stored.count)).to.equal(502);
    });
  });

  // On PGlite these steps would find what they load in the step cache; here every load goes to the database, as on PostgreSQL.
  describe('loads', () => {
    it('answers each of the loads that went in one umlauf_load with its own records', async () => {
      const { tap, store, engine } = await setUp({ maxInFlight: 1, maxBatch: 32 }, { stepCache: false });
      const [zero, one, two] = await startInstances(engine, 3) as [Work, Work, Work];
      const asked: LoadKey[][] = [
        [{ kind: 'userTask', id: zero.taskId }],
        [{ kind: 'userTask', id: one.taskId }, { kind: 'elementInstance', id: one.taskId }],
        [{ kind: 'userTask', id: 'no-such-task' }],
        [{ kind: 'scopeVariables', scopeId: two.instanceId }, { kind: 'children', scopeId: two.instanceId }, { kind: 'instance', id: two.instanceId }],
        [{ kind: 'scopeChain', id: zero.taskId, variables: true }],
        [{ kind: 'userTask', id: one.taskId }],
      ];
      tap.forget();
      // Submitted at once: the first goes alone, the others wait for it and go together.
      const answers = await Promise.all(asked.map((keys) => store.load(keys)));

      expect(tap.callsOf('umlauf_load').map((call) => (call.argument as unknown[]).length)).to.deep.equal([1, 8]);
      answers.forEach((answer, index) => expect(answer.map(({ key }) => key)).to.deep.equal(asked[index]));
      const value = (answer: Loaded[] | undefined, position = 0): Record<string, unknown> | undefined =>
        answer?.[position]?.value as Record<string, unknown> | undefined;
      expect(value(answers[0])).to.include({ id: zero.taskId, assignee: zero.initiator, state: 'open' });
      expect(value(answers[1])).to.include({ id: one.taskId, assignee: one.initiator });
      expect(value(answers[1], 1)).to.include({ id: one.taskId, elementId: 'review', scopeId: one.instanceId });
      expect(value(answers[2])).to.equal(undefined);
      expect((value(answers[3]) as unknown as { name: string; value: unknown }[]).map(({ name, value: stored }) => ({ name, stored })))
        .to.deep.equal([{ name: 'initiator', stored: two.initiator }]);
      expect((value(answers[3], 1) as unknown as { id: string }[]).map(({ id }) => id)).to.deep.equal([two.taskId]);
      expect(value(answers[3], 2)).to.include({ id: two.instanceId, state: 'active' });
      const chain = value(answers[4]) as unknown as ScopeChain;
      expect(chain.elementInstances.map(({ id }) => id)).to.deep.equal([zero.taskId, zero.instanceId]);
      expect(chain.instance?.id).to.equal(zero.instanceId);
      expect(chain.variables?.small.map(({ name, value: stored }) => ({ name, stored }))).to.deep.equal([{ name: 'initiator', stored: zero.initiator }]);
      expect(value(answers[5])).to.deep.equal(value(answers[1]));

      // Batched, each gets what it would have got alone.
      const alone: Loaded[][] = [];
      for (const keys of asked) alone.push(await store.load(keys));
      expect(answers).to.deep.equal(alone);
    });

    it('loads for completions on one store in few umlauf_load calls, each step with its own task', async () => {
      const { tap, engine } = await setUp({ maxInFlight: 1, maxBatch: 32 }, { stepCache: false });
      const work = await startInstances(engine, 10);
      tap.forget();
      await Promise.all(work.map(({ taskId }, index) => engine.completeUserTask(taskId, { answer: index })));
      const loads = tap.callsOf('umlauf_load');
      expect(loads.length).to.be.lessThan(work.length);
      const loadedTasks = loads.flatMap((call) => (call.argument as LoadKey[]).filter((key) => key.kind === 'userTask').map((key) => (key as { id: string }).id));
      expect(loadedTasks).to.have.members(work.map(({ taskId }) => taskId));
      for (const [index, item] of work.entries()) await expectCompleted(engine, item, index);
    });
  });
});
