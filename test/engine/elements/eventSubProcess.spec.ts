import { expect } from 'chai';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'eventSubProcess.bpmn');
const HOUR = 3_600_000;

describe('eventSubProcess', () => {
  scenario('interrupting message start cancels the main flow', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('esp-message', { caseId: 'c-7' });
    const [work] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.reload();
    await h.engine.correlateMessage('abort', 'c-7', { reason: 'withdrawn' });
    expect((await h.engine.getUserTask(work!.id)).state).to.equal('canceled');
    const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.elementId)).to.deep.equal(['cleanup']);
    await h.engine.completeUserTask(open[0]!.id);
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.include({ reason: 'withdrawn' });
  });

  scenario('non-interrupting timer start adds a reminder while the main flow goes on', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('esp-timer');
    await h.reload();
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.elementId).sort()).to.deep.equal(['remind', 'twork']);
    await h.engine.completeUserTask(open.find((task) => task.elementId === 'twork')!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('active');
    await h.engine.completeUserTask(open.find((task) => task.elementId === 'remind')!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });

  scenario('error start event catches an error end event', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('esp-error');
    const [decide] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.reload();
    await h.engine.completeUserTask(decide!.id, { approved: false });
    const open = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(open.map((task) => task.elementId)).to.deep.equal(['handle']);
    expect(await h.engine.listIncidents(instance.id)).to.have.length(0);
    await h.engine.completeUserTask(open[0]!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });
});
