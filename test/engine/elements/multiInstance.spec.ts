import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'multiInstance.bpmn');

describe('multiInstance', () => {
  scenario('parallel: one user task per recipient, outputCollection in input order', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('mi-parallel', { recipients: ['bob', 'carl', 'dora'] });
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks.map((task) => task.assignee).sort()).to.deep.equal(['bob', 'carl', 'dora']);
    for (const task of tasks) expect(task.elementId).to.equal('review');
    await h.reload();
    // Complete in reverse order: the output collection still follows the input order.
    const byAssignee = (name: string) => tasks.find((task) => task.assignee === name)!;
    await h.engine.completeUserTask(byAssignee('dora').id, { decision: 'no' });
    await h.engine.completeUserTask(byAssignee('bob').id, { decision: 'yes' });
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.include('review');
    await h.engine.completeUserTask(byAssignee('carl').id, { decision: 'maybe' });
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['after']);
    expect(after.variables['results']).to.deep.equal(['yes', 'maybe', 'no']);
  });

  scenario('sequential: one task at a time, in collection order', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('mi-sequential', { recipients: ['bob', 'carl', 'dora'] });
    const seen: string[] = [];
    for (const [index, name] of ['bob', 'carl', 'dora'].entries()) {
      const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      expect(open).to.have.length(1);
      expect(open[0]!.assignee).to.equal(name);
      seen.push(open[0]!.assignee!);
      if (index === 1) await h.reload();
      await h.engine.completeUserTask(open[0]!.id, { decision: `${name}-ok` });
    }
    const done = await h.engine.getInstance(instance.id);
    expect(seen).to.deep.equal(['bob', 'carl', 'dora']);
    expect(done.state).to.equal('completed');
    expect(done.variables['results']).to.deep.equal(['bob-ok', 'carl-ok', 'dora-ok']);
  });

  scenario('quorum: the completionCondition completes the body early and cancels the remaining tasks', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('mi-quorum', { recipients: ['bob', 'carl', 'dora', 'eve'] });
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks).to.have.length(4);
    const byAssignee = (name: string) => tasks.find((task) => task.assignee === name)!;
    await h.engine.completeUserTask(byAssignee('carl').id, { decision: 'yes' });
    await h.reload();
    expect((await h.engine.getInstance(instance.id)).state).to.equal('active');
    await h.engine.completeUserTask(byAssignee('eve').id, { decision: 'yes' });
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    const all = await h.engine.listUserTasks({ instanceId: instance.id });
    const states = Object.fromEntries(all.map((task) => [task.assignee, task.state]));
    expect(states).to.deep.equal({ bob: 'canceled', carl: 'completed', dora: 'canceled', eve: 'completed' });
    expect(await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' })).to.have.length(0);
  });

  scenario('an empty input collection passes straight through', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('mi-parallel', { recipients: [] });
    await h.reload();
    expect(await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' }).then((open) => open.map((task) => task.elementId)))
      .to.deep.equal(['after']);
    const current = await h.engine.getInstance(instance.id);
    expect(current.activeElementIds).to.deep.equal(['after']);
    expect(current.variables['results']).to.deep.equal([]);
  });
});
