import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'parallelGateway.bpmn');

describe('parallelGateway', () => {
  scenario('forks into every outgoing flow and joins only after both branches arrived', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('and-flow');
    expect(instance.activeElementIds).to.have.members(['a', 'b']);
    const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks.map((task) => task.elementId)).to.have.members(['a', 'b']);
    const a = tasks.find((task) => task.elementId === 'a')!;
    const b = tasks.find((task) => task.elementId === 'b')!;
    await h.engine.completeUserTask(a.id, { fromA: 1 });
    await h.reload();
    const waiting = await h.engine.getInstance(instance.id);
    expect(waiting.state).to.equal('active');
    expect(waiting.activeElementIds).not.to.include('after');
    expect(waiting.activeElementIds).to.include('b');
    expect((await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' })).map((task) => task.elementId)).to.deep.equal(['b']);
    await h.engine.completeUserTask(b.id, { fromB: 2 });
    const joined = await h.engine.getInstance(instance.id);
    expect(joined.activeElementIds).to.deep.equal(['after']);
    expect(joined.variables).to.include({ fromA: 1, fromB: 2 });
    const [after] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(after!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
    const history = await h.engine.history(instance.id);
    expect(history.filter((event) => event.type === 'completed' && event.elementId === 'join')).to.have.length(1);
    expect(history.filter((event) => event.type === 'activated' && event.elementId === 'after')).to.have.length(1);
  });
});
