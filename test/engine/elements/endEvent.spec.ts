import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'endEvent.bpmn');

describe('endEvent', () => {
  scenario('a terminate end event ends the instance and cancels the open user task of the other branch', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('terminate-flow');
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks.map((task) => task.elementId)).to.have.members(['quick', 'slow']);
    await h.reload();
    await h.engine.completeUserTask(tasks.find((task) => task.elementId === 'quick')!.id);
    const ended = await h.engine.getInstance(instance.id);
    expect(ended.state).to.equal('terminated');
    expect(ended.activeElementIds).to.deep.equal([]);
    expect(ended.endedAt).to.be.a('string');
    const slow = await h.engine.getUserTask(tasks.find((task) => task.elementId === 'slow')!.id);
    expect(slow.state).to.equal('canceled');
    expect(await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' })).to.have.length(0);
    const history = await h.engine.history(instance.id);
    expect(history.find((event) => event.elementId === 'slow' && event.type === 'terminated')).to.include({ elementType: 'userTask' });
    expect(history.some((event) => event.elementId === 'e')).to.equal(false);
  });

  scenario('an error end event inside a sub-process is caught by an error boundary event on it', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('error-end-flow');
    expect(instance.activeElementIds).to.have.members(['sub', 'review']);
    const [review] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.reload();
    await h.engine.completeUserTask(review!.id, { approved: false });
    const after = await h.engine.getInstance(instance.id);
    expect(after.state).to.equal('active');
    expect(after.activeElementIds).to.deep.equal(['rework']);
    const history = await h.engine.history(instance.id);
    expect(history.some((event) => event.elementId === 'reject' && event.elementType === 'endEvent')).to.equal(true);
    expect(history.find((event) => event.elementId === 'sub' && event.type === 'terminated')).to.include({ elementType: 'subProcess' });
    expect(history.some((event) => event.elementId === 'e2')).to.equal(false);
    const [rework] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(rework!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });

  scenario('a sub-process that ends normally leaves by its outgoing flow', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('error-end-flow');
    const [review] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.reload();
    await h.engine.completeUserTask(review!.id, { approved: true });
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
    const history = await h.engine.history(instance.id);
    expect(history.some((event) => event.elementId === 'caught')).to.equal(false);
    expect(history.some((event) => event.elementId === 'e2' && event.type === 'completed')).to.equal(true);
  });
});
