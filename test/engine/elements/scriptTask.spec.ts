import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'scriptTask.bpmn');

describe('scriptTask', () => {
  scenario('evaluates its FEEL expression into the result variable', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('script-flow', { items: [1, 2, 3], factor: 10 });
    expect(instance.variables).to.include({ total: 60 });
    expect(instance.activeElementIds).to.deep.equal(['check']);
    await h.reload();
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(task!.id, { total: 7 });
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.include({ total: 7, label: 'Total: 7' });
    const history = await h.engine.history(instance.id);
    expect(history.filter((event) => event.elementType === 'scriptTask' && event.type === 'completed').map((event) => event.elementId))
      .to.deep.equal(['sum', 'greet']);
  });
});
