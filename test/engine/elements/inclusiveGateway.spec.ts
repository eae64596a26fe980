import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'inclusiveGateway.bpmn');

describe('inclusiveGateway', () => {
  scenario('forks into the flows whose conditions hold and joins after exactly those tokens', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('or-flow', { parts: ['a', 'c'] });
    expect(instance.activeElementIds).to.have.members(['a', 'c']);
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks.map((task) => task.elementId)).to.have.members(['a', 'c']);
    await h.engine.completeUserTask(tasks.find((task) => task.elementId === 'a')!.id);
    await h.reload();
    const waiting = await h.engine.getInstance(instance.id);
    expect(waiting.activeElementIds).to.include('c');
    expect(waiting.activeElementIds).not.to.include('after');
    await h.engine.completeUserTask(tasks.find((task) => task.elementId === 'c')!.id);
    const joined = await h.engine.getInstance(instance.id);
    expect(joined.activeElementIds).to.deep.equal(['after']);
    const history = await h.engine.history(instance.id);
    expect(history.some((event) => event.elementId === 'b')).to.equal(false);
    expect(history.filter((event) => event.type === 'activated' && event.elementId === 'after')).to.have.length(1);
  });

  scenario('with a single branch taken the join passes right away', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('or-flow', { parts: ['b'] });
    expect(instance.activeElementIds).to.deep.equal(['b']);
    await h.reload();
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(task!.id);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['after']);
  });
});
