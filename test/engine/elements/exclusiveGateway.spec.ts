import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'exclusiveGateway.bpmn');

describe('exclusiveGateway', () => {
  scenario('takes the first flow whose condition holds, else the default flow', async (h) => {
    await h.engine.deploy(xml);
    const big = await h.engine.startProcess('xor-default', { amount: 500 });
    const small = await h.engine.startProcess('xor-default', { amount: 5 });
    expect(big.activeElementIds).to.deep.equal(['big']);
    expect(small.activeElementIds).to.deep.equal(['small']);
    await h.reload();
    const [task] = await h.engine.listUserTasks({ instanceId: small.id, state: 'open' });
    expect(task?.elementId).to.equal('small');
    await h.engine.completeUserTask(task!.id);
    expect((await h.engine.getInstance(small.id)).state).to.equal('completed');
    const history = await h.engine.history(small.id);
    const activated = history.filter((event) => event.type === 'activated').map((event) => event.elementId);
    expect(activated).to.include.members(['s', 'g', 'small', 'e']);
    expect(activated).not.to.include('big');
    const gateway = history.find((event) => event.elementId === 'g');
    expect(gateway).to.include({ elementType: 'exclusiveGateway' });
    expect(gateway?.at).to.be.a('string');
  });

  scenario('without a matching flow and without a default flow, raises a no_matching_flow incident', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('xor-no-default', { amount: 50 });
    await h.reload();
    const stuck = await h.engine.getInstance(instance.id);
    expect(stuck.state).to.equal('incident');
    expect(stuck.activeElementIds).to.deep.equal(['g2']);
    const incidents = await h.engine.listIncidents(instance.id);
    expect(incidents).to.have.length(1);
    expect(incidents[0]).to.include({ type: 'no_matching_flow', elementId: 'g2', state: 'open', instanceId: instance.id });
    expect(await h.engine.listUserTasks({ instanceId: instance.id })).to.have.length(0);
    const history = await h.engine.history(instance.id);
    expect(history.some((event) => event.type === 'incident_created' && event.elementId === 'g2')).to.equal(true);
  });
});
