import { expect } from 'chai';
import { NotFoundError } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'eventBasedGateway.bpmn');

describe('eventBasedGateway', () => {
  scenario('the message wins the race and the timer is dropped', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('race', { orderId: 'o-1' });
    expect(instance.activeElementIds).to.deep.equal(['g']);
    await h.reload();
    h.advance(30 * 60_000);
    expect(await h.engine.runDueJobs()).to.equal(0);
    await h.engine.correlateMessage('payment-received', 'o-1', { paidAmount: 42 });
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['ship']);
    expect(after.variables).to.include({ paidAmount: 42 });
    h.advance(2 * 60 * 60_000);
    expect(await h.engine.runDueJobs()).to.equal(0);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['ship']);
    const history = await h.engine.history(instance.id);
    expect(history.some((event) => event.elementId === 'timeout')).to.equal(false);
    expect(history.some((event) => event.type === 'completed' && event.elementId === 'paid')).to.equal(true);
  });

  scenario('the timer wins the race and the message subscription is dropped', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('race', { orderId: 'o-2' });
    h.advance(59 * 60_000);
    expect(await h.engine.runDueJobs()).to.equal(0);
    await h.reload();
    h.advance(60_000);
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['remind']);
    let error: unknown;
    try { await h.engine.correlateMessage('payment-received', 'o-2'); } catch (caught) { error = caught; }
    expect(error).to.be.instanceOf(NotFoundError);
    const history = await h.engine.history(instance.id);
    expect(history.some((event) => event.elementId === 'paid')).to.equal(false);
    expect(history.find((event) => event.type === 'completed' && event.elementId === 'timeout')).to.include({ elementType: 'intermediateCatchEvent' });
  });
});
