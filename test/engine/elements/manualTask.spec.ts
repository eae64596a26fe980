import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'manualTask.bpmn');

describe('manualTask and task', () => {
  scenario('pass straight through', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('pass-through', { x: 1 });
    expect(instance.activeElementIds).to.deep.equal(['stop']);
    await h.reload();
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(task!.id);
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.deep.equal({ x: 1 });
    const completed = (await h.engine.history(instance.id)).filter((event) => event.type === 'completed');
    expect(completed.map((event) => `${event.elementId}:${event.elementType}`)).to.include.members([
      'manual:manualTask', 'plain:task', 'stop:userTask', 'manual2:manualTask', 'e:endEvent',
    ]);
  });
});
