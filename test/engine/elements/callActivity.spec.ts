import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'callActivity.bpmn');

describe('callActivity', () => {
  scenario('starts the child, whose user task completes and whose variables come back', async (h) => {
    await h.engine.deploy(xml);
    const parent = await h.engine.startProcess('parent', { owner: 'anna' });
    expect(parent.activeElementIds).to.deep.equal(['call']);
    const [task] = await h.engine.listUserTasks({ assignee: 'anna', state: 'open' });
    expect(task).to.include({ elementId: 'childTask', processId: 'child' });
    expect(task!.instanceId).not.to.equal(parent.id);
    const child = await h.engine.getInstance(task!.instanceId);
    expect(child).to.include({ processId: 'child', parentInstanceId: parent.id });
    expect(child.variables).to.include({ owner: 'anna' });
    await h.reload();
    await h.engine.completeUserTask(task!.id, { ok: true, note: 'from child' });
    expect((await h.engine.getInstance(child.id)).state).to.equal('completed');
    const after = await h.engine.getInstance(parent.id);
    expect(after.activeElementIds).to.deep.equal(['after']);
    expect(after.variables).to.include({ owner: 'anna', ok: true, note: 'from child' });
  });

  scenario('an error thrown in the child is caught by an error boundary on the call activity', async (h) => {
    await h.engine.deploy(xml);
    const parent = await h.engine.startProcess('parent', { owner: 'bob' });
    const [task] = await h.engine.listUserTasks({ assignee: 'bob', state: 'open' });
    await h.reload();
    await h.engine.completeUserTask(task!.id, { ok: false });
    const child = await h.engine.getInstance(task!.instanceId);
    expect(child.state).to.equal('terminated');
    const open = await h.engine.listUserTasks({ instanceId: parent.id, state: 'open' });
    expect(open.map((item) => item.elementId)).to.deep.equal(['repair']);
    expect(await h.engine.listIncidents()).to.have.length(0);
  });
});
