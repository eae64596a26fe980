import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'boundaryEvent.bpmn');
const HOUR = 3_600_000;

describe('boundaryEvent', () => {
  scenario('interrupting timer: the task is canceled and the timer path is taken', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('boundary-timer');
    const [review] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(0);
    await h.reload();
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect((await h.engine.getUserTask(review!.id)).state).to.equal('canceled');
    const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.elementId)).to.deep.equal(['escalated']);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['escalated']);
  });

  scenario('non-interrupting timer cycle R2/PT1H: two reminders while the task stays open', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('boundary-reminder');
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    await h.reload();
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(0);
    const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.elementId).sort()).to.deep.equal(['reminder', 'reminder', 'rreview']);
    await h.engine.completeUserTask(open.find((task) => task.elementId === 'rreview')!.id);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['reminder']);
  });

  scenario('message boundary: correlating the message interrupts the task', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('boundary-message', { caseId: 'c-1' });
    const other = await h.engine.startProcess('boundary-message', { caseId: 'c-2' });
    await h.reload();
    await h.engine.correlateMessage('cancel-review', 'c-1', { reason: 'withdrawn' });
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.include({ reason: 'withdrawn' });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id });
    expect(task!.state).to.equal('canceled');
    expect((await h.engine.history(instance.id)).map((event) => `${event.type} ${event.elementId}`)).to.include('completed mcanceled');
    expect((await h.engine.getInstance(other.id)).activeElementIds).to.deep.equal(['mreview']);
  });

  scenario('signal boundary: broadcastSignal interrupts every waiting task', async (h) => {
    await h.engine.deploy(xml);
    const first = await h.engine.startProcess('boundary-signal');
    const second = await h.engine.startProcess('boundary-signal');
    await h.reload();
    await h.engine.broadcastSignal('stop-all');
    for (const instance of [first, second]) {
      expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
      const [task] = await h.engine.listUserTasks({ instanceId: instance.id });
      expect(task!.state).to.equal('canceled');
    }
  });

  scenario('non-interrupting escalation boundary on a sub-process catches an escalation thrown inside it', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('boundary-escalation');
    const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.elementId).sort()).to.deep.equal(['inform', 'work']);
    await h.reload();
    await h.engine.completeUserTask(open.find((task) => task.elementId === 'work')!.id);
    expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['inform']);
    await h.engine.completeUserTask(open.find((task) => task.elementId === 'inform')!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });
});
