import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'intermediateCatchEvent.bpmn');
const HOUR = 3_600_000;

describe('intermediateCatchEvent', () => {
  scenario('timer duration PT2H waits two hours, then the flow goes on', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('catch-timer');
    expect(instance.activeElementIds).to.deep.equal(['wait']);
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(0);
    await h.reload();
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['after']);
  });

  scenario('signal catch continues when the signal is broadcast, with its variables', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('catch-signal');
    expect(instance.activeElementIds).to.deep.equal(['waitGo']);
    await h.reload();
    await h.engine.broadcastSignal('other');
    expect((await h.engine.getInstance(instance.id)).state).to.equal('active');
    await h.engine.broadcastSignal('go', { by: 'ops' });
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.deep.equal({ by: 'ops' });
  });
});
