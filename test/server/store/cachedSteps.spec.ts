/**
 * KnexStore with its step cache: a step of an instance this server just wrote
 * loads nothing from the database. On PostgreSQL, where other servers may
 * write, its commit names the instance's step counter the answers were as of,
 * and is refused when another server has moved it on; the step then runs
 * again on what it loads. The stores on one database in one process share
 * what they know, so one store's commits are seen by the others at once.
 */
import { expect } from 'chai';
import { ConflictError, Engine, type LoadKey } from '../../../engine/index.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { databaseChangedOutside } from '../../../server/store/sharedState.js';
import { openDatabase } from '../../../server/store/database.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';
import { StepFunctionTap } from './stepFunctionTap.js';
import { ConflictCountingStore } from './conflictCountingStore.js';

const twoTasks = (name = 'Zwei') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="cached" targetNamespace="cached">
  <bpmn:process id="two-tasks" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:userTask id="first" name="Eins"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="${name}"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=decision"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

describe(`KnexStore's step cache on ${databaseKind}`, () => {
  const db = useTestDatabase();

  /** A fresh database, a store that counts lost races, and an instance of two-tasks waiting at its first task. */
  async function startedOnCountingStore() {
    await db.current.freshStore();
    const store = new ConflictCountingStore(db.current.database.knex);
    const engine = new Engine({ store });
    await engine.deploy(twoTasks());
    const instance = await engine.startProcess('two-tasks', { initiator: 'anna' });
    return { store, engine, instance, first: await openTask(engine, instance.id) };
  }

  async function openTask(engine: Engine, instanceId: string): Promise<string> {
    const [task] = await engine.store.listUserTasks({ instanceId, state: 'open' });
    if (!task) throw new Error('no open task');
    return task.id;
  }

  it('runs the steps of an instance it wrote without loading from the database', async () => {
    await db.current.freshStore();
    const tap = new StepFunctionTap();
    const engine = new Engine({ store: new KnexStore(tap.wrap(db.current.database.knex)) });
    await engine.deploy(twoTasks());
    tap.forget();
    const instance = await engine.startProcess('two-tasks', { initiator: 'anna' });
    await engine.completeUserTask(await openTask(engine, instance.id), { decision: 'ben' });
    const second = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(second.map(({ assignee }) => assignee), 'the variable set by the first step, read by the second').to.deep.equal(['ben']);
    await engine.completeUserTask(second[0]!.id);

    expect(tap.callsOf('umlauf_commit')).to.have.length(3);
    expect(tap.callsOf('umlauf_load')).to.have.length(0);
    expect(tap.callsOf('umlauf_step_seqs'), 'nor asked for step counters before a step').to.have.length(0);
    if (databaseKind === 'PostgreSQL') {
      const expected = tap.callsOf('umlauf_commit').map((call) => (call.argument as { expectedStepSeqs?: unknown }).expectedStepSeqs);
      expect(expected, 'each completion confirms the counter its step read the instance at').to.deep.equal([undefined, { [instance.id]: 0 }, { [instance.id]: 1 }]);
    }
    expect((await engine.getInstance(instance.id))?.state).to.equal('completed');
  });

  it('loads from the database what it did not write, and runs the next step from what it loaded', async () => {
    await db.current.freshStore();
    const writer = new Engine({ store: new KnexStore(db.current.database.knex) });
    await writer.deploy(twoTasks());
    const instance = await writer.startProcess('two-tasks', { initiator: 'anna' });
    // Known to no store once the database was changed outside them.
    databaseChangedOutside(db.current.database.knex);

    const tap = new StepFunctionTap();
    const engine = new Engine({ store: new KnexStore(tap.wrap(db.current.database.knex)) });
    await engine.completeUserTask(await openTask(engine, instance.id), { decision: 'ben' });
    await engine.completeUserTask(await openTask(engine, instance.id));
    expect(tap.callsOf('umlauf_load')).to.have.length(1);
  });

  it('sees the commits of a store on the same database that does not read the cache', async () => {
    await db.current.freshStore();
    const reading = new ConflictCountingStore(db.current.database.knex);
    const engine = new Engine({ store: reading });
    const other = new Engine({ store: new KnexStore(db.current.database.knex, undefined, { stepCache: false }) });
    await engine.deploy(twoTasks());
    const instance = await engine.startProcess('two-tasks', { initiator: 'anna' });
    const first = await openTask(engine, instance.id);
    await other.completeUserTask(first, { decision: 'ben' });

    // It knows the task is done: the step refuses at once instead of committing on the old revs and losing the race.
    const again = await engine.completeUserTask(first).then(() => undefined, (error: unknown) => error);
    expect(again).to.be.instanceOf(ConflictError);
    expect(reading.conflicts).to.equal(0);
    await engine.completeUserTask(await openTask(engine, instance.id));
    expect(reading.conflicts).to.equal(0);
    expect((await engine.getInstance(instance.id)).state).to.equal('completed');
  });

  it('heals when the database was changed behind its back: the step that lost runs again on what it loads', async () => {
    await db.current.freshStore();
    const store = new ConflictCountingStore(db.current.database.knex);
    const engine = new Engine({ store });
    await engine.deploy(twoTasks());
    const instance = await engine.startProcess('two-tasks', { initiator: 'anna' });
    await db.current.database.knex('element_instances').where({ id: instance.id }).increment('rev', 1);

    await engine.completeUserTask(await openTask(engine, instance.id), { decision: 'ben' });
    expect(store.conflicts).to.equal(1);
    const [second] = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(second).to.include({ elementId: 'second', assignee: 'ben' });
  });

  it('forgets what a store on a knex transaction wrote once that transaction has landed', async () => {
    const { store, engine, first } = await startedOnCountingStore();
    await db.current.database.knex.transaction(async (trx) => {
      await new Engine({ store: new KnexStore(trx) }).completeUserTask(first, { decision: 'ben' });
    });

    const again = await engine.completeUserTask(first).then(() => undefined, (error: unknown) => error);
    expect(again).to.be.instanceOf(ConflictError);
    expect(store.conflicts, 'it read the task as the transaction left it').to.equal(0);
  });

  it('keeps nothing of a store on a knex transaction that was rolled back', async () => {
    await db.current.freshStore();
    const engine = new Engine({ store: new KnexStore(db.current.database.knex) });
    await engine.deploy(twoTasks());
    const instance = await engine.startProcess('two-tasks', { initiator: 'anna' });
    const first = await openTask(engine, instance.id);
    const rolledBack = await db.current.database.knex.transaction(async (trx) => {
      await new Engine({ store: new KnexStore(trx) }).completeUserTask(first, { decision: 'ben' });
      throw new Error('rolled back on purpose');
    }).then(() => undefined, (error: unknown) => error);
    expect((rolledBack as Error).message).to.equal('rolled back on purpose');

    await engine.completeUserTask(first, { decision: 'carla' });
    const [second] = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(second).to.include({ elementId: 'second', assignee: 'carla' });
  });

  it('starts the version another store on the same database deployed a moment ago', async () => {
    await db.current.freshStore();
    const engine = new Engine({ store: new KnexStore(db.current.database.knex) });
    const deployer = new Engine({ store: new KnexStore(db.current.database.knex) });
    await engine.deploy(twoTasks());
    expect((await engine.startProcess('two-tasks', { initiator: 'anna' })).version).to.equal(1);
    await deployer.deploy(twoTasks('Zwei, neu'));
    expect((await engine.startProcess('two-tasks', { initiator: 'anna' })).version).to.equal(2);
  });

  it('keeps exactly one of two completions of one task that raced on cached state', async () => {
    await db.current.freshStore();
    const store = new KnexStore(db.current.database.knex);
    const engines = [new Engine({ store }), new Engine({ store })];
    await engines[0]!.deploy(twoTasks());
    const instance = await engines[0]!.startProcess('two-tasks', { initiator: 'anna' });
    const taskId = await openTask(engines[0]!, instance.id);

    const outcomes = await Promise.allSettled(engines.map((engine, index) => engine.completeUserTask(taskId, { decision: `user-${index}` })));
    expect(outcomes.filter(({ status }) => status === 'fulfilled')).to.have.length(1);
    expect((outcomes.find(({ status }) => status === 'rejected') as PromiseRejectedResult).reason).to.be.instanceOf(ConflictError);
    const open = await engines[0]!.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map(({ elementId }) => elementId)).to.deep.equal(['second']);
  });

  (databaseKind === 'PostgreSQL' ? it : it.skip)('runs a step again on what it loads when another server moved on an instance it knows', async () => {
    const { store, engine, instance, first } = await startedOnCountingStore();
    // Another server: its own pool, so its own cache.
    const otherServer = openDatabase(db.current.options);
    try {
      const other = new Engine({ store: new KnexStore(otherServer.knex) });
      await other.completeUserTask(first, { decision: 'ben' });
      await other.completeUserTask(await openTask(other, instance.id));
    } finally {
      await otherServer.close();
    }

    // The step runs on what this server knew, and its commit is refused: the step counter moved on.
    // Run again on the task as the other server left it, the step refuses.
    const again = await engine.completeUserTask(first).then(() => undefined, (error: unknown) => error);
    expect(again).to.be.instanceOf(ConflictError);
    expect(store.conflicts).to.equal(1);
    expect((await engine.getInstance(instance.id)).state).to.equal('completed');
  });

  (databaseKind === 'PostgreSQL' ? it : it.skip)('does not commit a step on what another server changed of an instance that the step only read', async () => {
    await db.current.freshStore();
    const store = new ConflictCountingStore(db.current.database.knex);
    const engine = new Engine({ store });
    await engine.deploy(twoTasks());
    const instance = await engine.startProcess('two-tasks', { initiator: 'anna', decision: 'anna' });
    const first = await openTask(engine, instance.id);
    // Another server changes a variable that the next step reads and no step writes: only the step counter tells.
    await db.current.database.knex.transaction(async (trx) => {
      await trx('variables').where({ scope_id: instance.id, name: 'decision' }).update({ value: JSON.stringify('ben') });
      await trx('instances').where({ id: instance.id }).increment('step_seq', 1);
    });

    await engine.completeUserTask(first);
    expect(store.conflicts, 'the run on what this server knew was refused').to.equal(1);
    const [second] = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(second).to.include({ elementId: 'second', assignee: 'ben' });
  });

  (databaseKind === 'PostgreSQL' ? it : it.skip)('confirms what it answered a run from memory when asked, and drops an instance that moved on', async () => {
    const { store, instance, first } = await startedOnCountingStore();
    const keys: LoadKey[] = [{ kind: 'userTask', id: first }];
    const current = {};
    await store.load(keys, current);
    expect(await store.confirmReads(current)).to.equal(true);

    const outdated = {};
    const [answer] = await store.load(keys, outdated);
    expect(answer?.value).to.include({ state: 'open' });
    await db.current.database.knex('instances').where({ id: instance.id }).increment('step_seq', 1);
    expect(await store.confirmReads(outdated)).to.equal(false);
    const tap = new StepFunctionTap();
    await new KnexStore(tap.wrap(db.current.database.knex)).load(keys, {});
    expect(tap.callsOf('umlauf_load'), 'the instance was dropped, so the next run loads it').to.have.length(1);
  });
});
