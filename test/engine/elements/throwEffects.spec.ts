import { expect } from 'chai';
import type { Engine, UserTask } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'throwEffects.bpmn');

async function openTasksOf(engine: Engine, processId: string): Promise<UserTask[]> {
  return (await engine.listUserTasks({ state: 'open' })).filter((task) => task.processId === processId);
}

describe('message and signal throw events (no job type): published inside the engine', () => {
  scenario('a message end event correlates its message, by correlation key, to the receive task of another instance', async (h) => {
    await h.engine.deploy(xml);
    const mine = await h.engine.startProcess('order-flow', { orderId: 'o-1' });
    const other = await h.engine.startProcess('order-flow', { orderId: 'o-2' });
    expect(mine.activeElementIds).to.deep.equal(['waitPaid']);
    await h.reload();

    const payment = await h.engine.startProcess('payment-flow', { orderId: 'o-1' });
    expect(payment.state).to.equal('completed');
    const history = await h.engine.history(payment.id);
    expect(history.find((event) => event.elementId === 'paidEnd' && event.type === 'completed')).to.include({ elementType: 'endEvent' });

    expect((await h.engine.getInstance(mine.id)).activeElementIds).to.deep.equal(['waitShipped']);
    expect((await h.engine.getInstance(other.id)).activeElementIds).to.deep.equal(['waitPaid']);
    const mineHistory = await h.engine.history(mine.id);
    expect(mineHistory.some((event) => event.elementId === 'waitPaid' && event.type === 'completed')).to.equal(true);
  });

  scenario('an intermediate message throw event correlates to a message catch event of another instance and goes on', async (h) => {
    await h.engine.deploy(xml);
    const order = await h.engine.startProcess('order-flow', { orderId: 'o-7' });
    await h.engine.startProcess('payment-flow', { orderId: 'o-7' });
    expect((await h.engine.getInstance(order.id)).activeElementIds).to.deep.equal(['waitShipped']);
    await h.reload();

    const shipping = await h.engine.startProcess('shipping-flow', { orderId: 'o-7' });
    expect(shipping.state).to.equal('active');
    expect(shipping.activeElementIds).to.deep.equal(['archive']);
    const done = await h.engine.getInstance(order.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.deep.equal({ orderId: 'o-7' });
  });

  scenario('a thrown message with a key that no instance waits for is dropped: the thrower goes on, the others keep waiting', async (h) => {
    await h.engine.deploy(xml);
    const order = await h.engine.startProcess('order-flow', { orderId: 'o-1' });
    await h.reload();
    const payment = await h.engine.startProcess('payment-flow', { orderId: 'o-404' });
    expect(payment.state).to.equal('completed');
    const shipping = await h.engine.startProcess('shipping-flow', { orderId: 'o-1' });
    expect(shipping.activeElementIds).to.deep.equal(['archive']);
    expect((await h.engine.getInstance(order.id)).activeElementIds).to.deep.equal(['waitPaid']);
    // Not buffered: the message thrown before the subscription exists does not reach it later.
    await h.engine.startProcess('payment-flow', { orderId: 'o-1' });
    expect((await h.engine.getInstance(order.id)).activeElementIds).to.deep.equal(['waitShipped']);
  });

  scenario('a signal end event reaches a waiting signal catch event of another instance and starts a signal start event', async (h) => {
    await h.engine.deploy(xml);
    const watchers = [await h.engine.startProcess('watch-flow'), await h.engine.startProcess('watch-flow')];
    expect(await openTasksOf(h.engine, 'response-flow')).to.have.length(0);
    await h.reload();

    const alarm = await h.engine.startProcess('alarm-end-flow');
    expect(alarm.state).to.equal('completed');
    for (const watcher of watchers) expect((await h.engine.getInstance(watcher.id)).state).to.equal('completed');
    const responses = await openTasksOf(h.engine, 'response-flow');
    expect(responses).to.have.length(1);
    expect(responses[0]).to.include({ elementId: 'respond' });
    expect(responses[0]?.instanceId).to.not.equal(alarm.id);
    const started = await h.engine.history(responses[0]!.instanceId);
    expect(started.some((event) => event.elementId === 'alarmStart' && event.type === 'completed')).to.equal(true);
  });

  scenario('an intermediate signal throw event reaches the catch event and the signal start event, and goes on', async (h) => {
    await h.engine.deploy(xml);
    const watcher = await h.engine.startProcess('watch-flow');
    await h.reload();

    const thrower = await h.engine.startProcess('alarm-throw-flow');
    expect(thrower.state).to.equal('active');
    expect(thrower.activeElementIds).to.deep.equal(['report']);
    expect((await h.engine.getInstance(watcher.id)).state).to.equal('completed');
    expect(await openTasksOf(h.engine, 'response-flow')).to.have.length(1);

    // A second throw starts another instance; the completed watcher is not reached twice.
    await h.engine.startProcess('alarm-throw-flow');
    expect(await openTasksOf(h.engine, 'response-flow')).to.have.length(2);
    const watcherHistory = await h.engine.history(watcher.id);
    expect(watcherHistory.filter((event) => event.elementId === 'waitAlarm' && event.type === 'completed')).to.have.length(1);
  });
});
