import { expect } from 'chai';
import { Engine, InvalidArgumentError, maxNesting, type ChangeSet, type StepRun } from '../../engine/index.js';
import { createTestDatabase, databaseKind, type TestDatabase } from '../support/database.js';
import { fixture, scenario } from '../support/scenario.js';

const xml = fixture(import.meta.url, 'variables.bpmn');

describe('variables', () => {
  scenario('zeebe:ioMapping: FEEL inputs are local to the task, FEEL outputs write to the process', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('vars-mapping', { customer: { name: 'Anna' }, items: [1, 2, 3] });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(task!.variables).to.include({ shout: 'ANNA', total: 6 });
    expect((await h.engine.getInstance(instance.id)).variables).to.deep.equal({ customer: { name: 'Anna' }, items: [1, 2, 3] });
    await h.reload();
    await h.engine.completeUserTask(task!.id, { answer: 'yes' });
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['after']);
    expect(after.variables).to.deep.equal({ customer: { name: 'Anna' }, items: [1, 2, 3], score: 12 });
  });

  scenario('without output mappings, a task\'s completion variables propagate to the process scope', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('vars-propagate', { reviewer: 'nobody' });
    const [fill] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.reload();
    await h.engine.completeUserTask(fill!.id, { reviewer: 'dora', comment: 'looks good' });
    expect((await h.engine.getInstance(instance.id)).variables).to.deep.equal({ reviewer: 'dora', comment: 'looks good' });
    const [next] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(next).to.include({ elementId: 'next', assignee: 'dora' });
  });

  scenario('a multi-instance inner instance keeps its inputElement local', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('vars-mi', { recipients: ['bob', 'carl'] });
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks.map((task) => task.variables['recipient']).sort()).to.deep.equal(['bob', 'carl']);
    expect((await h.engine.getInstance(instance.id)).variables).not.to.have.property('recipient');
    await h.reload();
    for (const task of tasks) await h.engine.completeUserTask(task.id, { decision: `${task.assignee!}:ok` });
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['after2']);
    expect(after.variables).not.to.have.property('recipient');
    expect(after.variables['results']).to.deep.equal(['bob:ok', 'carl:ok']);
  });
});

describe('zeebe:ioMapping with a dotted target', () => {
  scenario('writes into a nested object of the process variable, keeping its other fields', async (h) => {
    await h.engine.deploy(fixture(import.meta.url, 'dottedTarget.bpmn'));
    const instance = await h.engine.startProcess('dotted-target', { review: { by: 'anna' } });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(task?.variables).to.deep.include({ request: { meta: { amount: 5 } } });
    await h.reload();
    await h.engine.completeUserTask(task!.id, { answer: 'yes' });
    const done = await h.engine.getInstance(instance.id);
    expect(done.variables['review']).to.deep.equal({ by: 'anna', answer: 'yes' });
    expect(done.variables).to.not.have.property('review.answer');
  });
});

describe('variables that do not exist', () => {
  const missing = fixture(import.meta.url, 'missingVariables.bpmn');

  scenario('read as null in mappings, as in Zeebe\'s FEEL, without an incident', async (h) => {
    await h.engine.deploy(missing);
    const instance = await h.engine.startProcess('vars-null', { owner: { name: 'anna' } });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(task).to.include({ assignee: 'anna' });
    expect(task!.variables).to.include({ note: null, ownerName: 'anna', office: null });
    expect(await h.engine.listIncidents(instance.id)).to.deep.equal([]);
    await h.reload();
    await h.engine.completeUserTask(task!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });

  scenario('in a condition, raise an incident that names the missing variable', async (h) => {
    await h.engine.deploy(missing);
    const instance = await h.engine.startProcess('vars-condition', {});
    expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
    const [incident] = await h.engine.listIncidents(instance.id);
    expect(incident!.elementId).to.equal('c-gateway');
    expect(incident!.message).to.match(/should give a boolean, but gave null/).and.to.match(/amount/);
  });
});

describe('completion variables', () => {
  scenario('land in a local variable of the same name on the task, as in Zeebe', async (h) => {
    await h.engine.deploy(fixture(import.meta.url, 'missingVariables.bpmn'));
    const instance = await h.engine.startProcess('vars-mi-local', { recipients: ['bob', 'carl'] });
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks).to.have.length(2);
    await h.reload();
    for (const task of tasks) await h.engine.completeUserTask(task.id, { confirmedAt: `${task.assignee!}-time` });
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['m-after']);
    expect(after.variables).not.to.have.property('confirmedAt');
    expect(after.variables['confirmations']).to.deep.equal([{ by: 'bob', at: 'bob-time' }, { by: 'carl', at: 'carl-time' }]);
  });
});

describe('the variables of an element instance that ends', () => {
  let database: TestDatabase;
  before(async () => { database = await createTestDatabase(); });
  after(async () => database.close());

  it(`are deleted with it when it has some, and not asked for when it is known to have none (on ${databaseKind})`, async () => {
    // The database store sends a scope chain's variables along, so the step knows a task's local variables.
    const store = await database.freshStore();
    const removedScopes: string[][] = [];
    const commit = store.commit.bind(store);
    store.commit = async (changes: ChangeSet, run?: StepRun) => {
      removedScopes.push(changes.variables.removeScopes);
      return commit(changes, run);
    };
    const engine = new Engine({ store });
    await engine.deploy(xml);
    removedScopes.length = 0;
    const instance = await engine.startProcess('vars-mapping', { customer: { name: 'Anna' }, items: [1, 2, 3] });
    expect(removedScopes, 'the start event began and ended in the start step').to.deep.equal([[]]);
    const [check] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(await store.listVariables(check!.id), 'the input mappings are local to the task').to.have.length(2);

    await engine.completeUserTask(check!.id, { answer: 'yes' });
    expect(removedScopes[1]).to.deep.equal([check!.id]);
    expect(await store.listVariables(check!.id)).to.deep.equal([]);

    const [next] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await engine.completeUserTask(next!.id);
    expect(removedScopes[2], 'a task without local variables').to.deep.equal([]);
    expect((await engine.getInstance(instance.id)).variables).to.deep.equal({ customer: { name: 'Anna' }, items: [1, 2, 3], score: 12 });
  });
});

describe('variable values the store could not keep as given', () => {
  const refusal = async (promise: Promise<unknown>): Promise<Error> => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('it was accepted');
  };
  const nested = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let level = 0; level < levels; level++) value = [value];
    return value;
  };

  scenario('are refused as an InvalidArgumentError naming the place, at the start and at a completion, and change nothing', async (h) => {
    await h.engine.deploy(xml);
    const start = await refusal(h.engine.startProcess('vars-mapping', { customer: { name: 'A\u0000' }, items: [1, Infinity], ['x\ud800']: 1 }));
    expect(start).to.be.instanceOf(InvalidArgumentError);
    expect(start.message).to.equal('variables cannot be stored as given: variables/x\ud800 the name must not contain an unpaired UTF-16 surrogate (\\uD800–\\uDFFF); '
      + 'variables/items/1 must be a number within the range of a double; variables/customer/name must not contain the character U+0000 (NUL)');
    expect(await h.engine.listUserTasks({}), 'no instance was started').to.have.length(0);
    const instance = await h.engine.startProcess('vars-mapping', { customer: { name: 'Anna' }, items: nested(maxNesting - 1) });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.reload();
    const deep = await refusal(h.engine.completeUserTask(task!.id, { answer: nested(maxNesting) }));
    expect(deep).to.be.instanceOf(InvalidArgumentError);
    expect(deep.message).to.contain(`must not nest lists and objects more than ${maxNesting} levels deep`);
    expect((await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' })).map((open) => open.id)).to.deep.equal([task!.id]);
  });

  scenario('and so are text arguments (ids, names, keys, an assignee): an InvalidArgumentError naming the argument, not a database error or nothing found', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('vars-mapping', { customer: { name: 'Anna' }, items: [] });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    const nul = 'x\u0000';
    const calls: [string, () => Promise<unknown>][] = [
      ['processId', () => h.engine.startProcess(nul)],
      ['businessKey', () => h.engine.startProcess('vars-mapping', { customer: { name: 'Anna' }, items: [] }, { businessKey: nul })],
      ['instanceId', () => h.engine.getInstance(nul)],
      ['candidateGroup', () => h.engine.listUserTasks({ candidateGroup: nul })],
      ['taskId', () => h.engine.getUserTask(nul)],
      ['taskId', () => h.engine.completeUserTask(nul)],
      ['name', () => h.engine.correlateMessage(nul)],
      ['correlationKey', () => h.engine.correlateMessage('paid', 'k\ud800')],
      ['name', () => h.engine.broadcastSignal(nul)],
      ['instanceId', () => h.engine.history(nul)],
      ['instanceId', () => h.engine.listIncidents(nul)],
      ['incidentId', () => h.engine.retryIncident(nul)],
      ['instanceId', () => h.engine.cancelInstance(nul)],
      ['assignee', () => h.engine.assignUserTask(task!.id, nul)],
      ['taskId', () => h.engine.getUserTaskForm(nul)],
    ];
    for (const [argument, call] of calls) {
      const error = await refusal(call());
      expect(error, `${argument}: ${error.message}`).to.be.instanceOf(InvalidArgumentError);
      expect(error.message).to.match(new RegExp(`^the arguments cannot be used as given: ${argument} must not contain`));
    }
    const unchanged = await h.engine.getUserTask(task!.id);
    expect(unchanged.state).to.equal('open');
    expect(unchanged.assignee).to.equal(task!.assignee);
    expect(await h.engine.listUserTasks({}), 'no instance was started').to.have.length(1);
  });
});
