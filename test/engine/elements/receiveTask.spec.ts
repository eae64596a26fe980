import { expect } from 'chai';
import { NotFoundError } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'receiveTask.bpmn');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try { await promise; } catch (error) { return error; }
  return undefined;
}

describe('receiveTask and intermediate message catch event', () => {
  scenario('wait for messages correlated by the FEEL correlation key, taking over their variables', async (h) => {
    await h.engine.deploy(xml);
    const first = await h.engine.startProcess('receive-flow', { orderId: 'A-1' });
    const second = await h.engine.startProcess('receive-flow', { orderId: 'B-2' });
    expect(first.activeElementIds).to.deep.equal(['waitPaid']);
    await h.engine.correlateMessage('order-paid', 'A-1', { paid: true });
    const paid = await h.engine.getInstance(first.id);
    expect(paid.activeElementIds).to.deep.equal(['waitShipped']);
    expect(paid.variables).to.include({ paid: true });
    expect((await h.engine.getInstance(second.id)).activeElementIds).to.deep.equal(['waitPaid']);
    await h.reload();
    expect(await rejection(h.engine.correlateMessage('order-paid', 'A-1'))).to.be.instanceOf(NotFoundError);
    await h.engine.correlateMessage('order-shipped', 'A-1', { carrier: 'DHL' });
    const done = await h.engine.getInstance(first.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.deep.equal({ orderId: 'A-1', paid: true, carrier: 'DHL' });
    expect((await h.engine.getInstance(second.id)).variables).not.to.have.property('paid');
    const history = await h.engine.history(first.id);
    expect(history.find((event) => event.elementId === 'waitPaid' && event.type === 'completed')).to.include({ elementType: 'receiveTask' });
    expect(history.find((event) => event.elementId === 'waitShipped' && event.type === 'completed')).to.include({ elementType: 'intermediateCatchEvent' });
  });

  scenario('correlating a message nobody waits for is a NotFoundError', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('receive-flow', { orderId: 'C-3' });
    expect(await rejection(h.engine.correlateMessage('order-paid', 'other-key'))).to.be.instanceOf(NotFoundError);
    expect(await rejection(h.engine.correlateMessage('order-shipped', 'C-3'))).to.be.instanceOf(NotFoundError);
    expect(await rejection(h.engine.correlateMessage('no-such-message', 'C-3'))).to.be.instanceOf(NotFoundError);
    await h.reload();
    const still = await h.engine.getInstance(instance.id);
    expect(still.activeElementIds).to.deep.equal(['waitPaid']);
    expect(still.state).to.equal('active');
  });
});
