import { expect } from 'chai';
import type { UserTask } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'startEvent.bpmn');
const version1 = fixture(import.meta.url, 'startEventVersion1.bpmn');
const version2 = fixture(import.meta.url, 'startEventVersion2.bpmn');
const HOUR = 3_600_000;

const ofProcess = (tasks: UserTask[], processId: string) => tasks.filter((task) => task.processId === processId);

describe('startEvent', () => {
  scenario('timer start R2/PT1H starts an instance on each of two due runs', async (h) => {
    await h.engine.deploy(xml);
    expect(await h.engine.runDueJobs()).to.equal(0);
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect(ofProcess(await h.engine.listUserTasks({ state: 'open' }), 'start-timer')).to.have.length(1);
    await h.reload();
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(1);
    h.advance(HOUR);
    expect(await h.engine.runDueJobs()).to.equal(0);
    const tasks = ofProcess(await h.engine.listUserTasks({ state: 'open' }), 'start-timer');
    expect(tasks).to.have.length(2);
    expect(new Set(tasks.map((task) => task.instanceId)).size).to.equal(2);
  });

  scenario('message start event: correlateMessage starts an instance with the message variables', async (h) => {
    await h.engine.deploy(xml);
    await h.reload();
    await h.engine.correlateMessage('order-received', undefined, { customer: 'carla' });
    const [task] = await h.engine.listUserTasks({ assignee: 'carla' });
    expect(task).to.include({ processId: 'start-message', elementId: 'ordered', state: 'open' });
    const instance = await h.engine.getInstance(task!.instanceId);
    expect(instance.variables).to.deep.equal({ customer: 'carla' });
  });

  scenario('signal start event: broadcastSignal starts an instance', async (h) => {
    await h.engine.deploy(xml);
    await h.reload();
    await h.engine.broadcastSignal('alarm', { level: 3 });
    const tasks = ofProcess(await h.engine.listUserTasks({ state: 'open' }), 'start-signal');
    expect(tasks).to.have.length(1);
    expect((await h.engine.getInstance(tasks[0]!.instanceId)).variables).to.deep.equal({ level: 3 });
  });

  scenario('redeploying creates version 2; running instances stay on version 1', async (h) => {
    const first = await h.engine.deploy(version1);
    expect(first.processes).to.deep.equal([{ processId: 'versioned', version: 1 }]);
    const old = await h.engine.startProcess('versioned');
    const second = await h.engine.deploy(version2);
    expect(second.processes).to.deep.equal([{ processId: 'versioned', version: 2 }]);
    await h.reload();
    const fresh = await h.engine.startProcess('versioned');
    expect(fresh).to.include({ version: 2 });
    expect(fresh.activeElementIds).to.deep.equal(['task2']);
    const pinned = await h.engine.startProcess('versioned', {}, { version: 1 });
    expect(pinned.activeElementIds).to.deep.equal(['task1']);
    const still = await h.engine.getInstance(old.id);
    expect(still).to.include({ version: 1 });
    expect(still.activeElementIds).to.deep.equal(['task1']);
    const [task] = await h.engine.listUserTasks({ instanceId: old.id });
    await h.engine.completeUserTask(task!.id);
    expect((await h.engine.getInstance(old.id)).state).to.equal('completed');
  });
});
