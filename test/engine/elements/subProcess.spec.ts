import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'subProcess.bpmn');

describe('subProcess', () => {
  scenario('embedded: input mappings stay local, output mappings reach the parent', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('sub-flow', { amount: 21, owner: 'anna' });
    const running = await h.engine.getInstance(instance.id);
    expect(running.activeElementIds).to.have.members(['sub', 'check']);
    expect(running.variables).to.deep.equal({ amount: 21, owner: 'anna' });
    const [check] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(check).to.include({ elementId: 'check', assignee: 'anna' });
    await h.reload();
    await h.engine.completeUserTask(check!.id, { verdict: 'fine' });
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['after']);
    expect(after.variables).to.include({ amount: 21, subVerdict: 'fine' });
    expect(after.variables).not.to.have.property('doubled');
  });
});
