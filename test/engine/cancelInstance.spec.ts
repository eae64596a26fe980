import { expect } from 'chai';
import { ConflictError, NotFoundError, type Engine } from '../../engine/index.js';
import { fixture, scenario, type Harness } from '../support/scenario.js';

const xml = fixture(import.meta.url, 'cancelInstance.bpmn');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected the promise to be rejected');
}

/** Starts cancel-flow and returns its id and the id of the instance its call activity started. */
async function startWaiting(h: Harness): Promise<{ parentId: string; childId: string }> {
  await h.engine.deploy(xml);
  const parent = await h.engine.startProcess('cancel-flow', { ticket: 'T-1' });
  const childTask = (await h.engine.listUserTasks({ state: 'open' })).find((task) => task.elementId === 'childTask');
  expect(childTask, 'the called instance waits in childTask').to.not.equal(undefined);
  return { parentId: parent.id, childId: childTask!.instanceId };
}

async function dueJobsOf(h: Harness, instanceId: string): Promise<number> {
  const later = new Date(h.now().getTime() + 24 * 3_600_000).toISOString();
  return (await h.store.findDueJobs(later, 100)).filter((job) => job.instanceId === instanceId).length;
}

async function taskStates(engine: Engine, instanceId: string): Promise<Record<string, string>> {
  const tasks = await engine.listUserTasks({ instanceId });
  return Object.fromEntries(tasks.map((task) => [task.elementId, task.state]));
}

describe('Engine.cancelInstance', () => {
  scenario('a waiting instance ends terminated: user tasks canceled, jobs and subscriptions gone, the called instance terminated', async (h) => {
    let notified = 0;
    h.service('notify', () => { notified += 1; });
    const { parentId, childId } = await startWaiting(h);
    expect(await dueJobsOf(h, parentId), 'the service job and the boundary timer').to.equal(2);
    await h.reload();
    h.advance(60_000);

    await h.engine.cancelInstance(parentId);

    const parent = await h.engine.getInstance(parentId);
    expect(parent).to.include({ state: 'terminated', endedAt: h.now().toISOString() });
    expect(parent.activeElementIds).to.deep.equal([]);
    expect(await taskStates(h.engine, parentId)).to.deep.equal({ review: 'canceled' });
    expect((await h.engine.getInstance(childId)).state).to.equal('terminated');
    expect(await taskStates(h.engine, childId)).to.deep.equal({ childTask: 'canceled' });
    expect(await dueJobsOf(h, parentId)).to.equal(0);
    expect(await h.store.findSignalSubscriptions('recall')).to.deep.equal([]);
    expect(await rejection(h.engine.correlateMessage('signed', 'T-1'))).to.be.instanceOf(NotFoundError);
    h.advance(2 * 3_600_000);
    expect(await h.engine.runDueJobs()).to.equal(0);
    expect(notified).to.equal(0);
  });

  scenario('history records a terminated event for every element that was active and for the process, like a terminate end event', async (h) => {
    const { parentId, childId } = await startWaiting(h);
    await h.reload();
    await h.engine.cancelInstance(parentId);
    const terminated = (await h.engine.history(parentId)).filter((event) => event.type === 'terminated').map((event) => event.elementId);
    expect(terminated).to.have.members(['review', 'notify', 'signed', 'call', 'cancel-flow']);
    expect(terminated.at(-1), 'the process ends last').to.equal('cancel-flow');
    const child = (await h.engine.history(childId)).filter((event) => event.type === 'terminated').map((event) => event.elementId);
    expect(child).to.deep.equal(['childTask', 'cancel-child']);
  });

  scenario('an open incident of the cancelled instance is resolved, so no incident stays open on an ended instance', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('cancel-incident', { owner: { not: 'a text' } });
    expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
    await h.reload();
    await h.engine.cancelInstance(instance.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('terminated');
    expect((await h.engine.listIncidents(instance.id)).map((incident) => incident.state)).to.deep.equal(['resolved']);
    const approve = (await h.engine.history(instance.id)).filter((event) => event.elementId === 'approve').map((event) => event.type);
    expect(approve).to.deep.equal(['activated', 'incident_created', 'incident_resolved', 'terminated']);
  });

  scenario('an instance that a call activity started is refused with a ConflictError naming the parent, and keeps running', async (h) => {
    const { parentId, childId } = await startWaiting(h);
    await h.reload();
    const error = await rejection(h.engine.cancelInstance(childId));
    expect(error).to.be.instanceOf(ConflictError);
    expect((error as ConflictError).message).to.contain(parentId);
    expect((await h.engine.getInstance(childId)).state).to.equal('active');
    expect(await taskStates(h.engine, childId)).to.deep.equal({ childTask: 'open' });
  });

  scenario('an instance that has ended is a ConflictError: cancelled twice, or completed', async (h) => {
    const { parentId } = await startWaiting(h);
    await h.engine.cancelInstance(parentId);
    await h.reload();
    const twice = await rejection(h.engine.cancelInstance(parentId));
    expect(twice).to.be.instanceOf(ConflictError);
    expect((twice as ConflictError).message).to.contain('terminated');

    const done = await h.engine.startProcess('cancel-child');
    const [task] = await h.engine.listUserTasks({ instanceId: done.id });
    await h.engine.completeUserTask(task!.id);
    const completed = await rejection(h.engine.cancelInstance(done.id));
    expect(completed).to.be.instanceOf(ConflictError);
    expect((completed as ConflictError).message).to.contain('completed');
  });

  scenario('an unknown instance id is a NotFoundError', async (h) => {
    await h.engine.deploy(xml);
    const error = await rejection(h.engine.cancelInstance('no-such-instance'));
    expect(error).to.be.instanceOf(NotFoundError);
    expect(error).to.include({ kind: 'process instance', id: 'no-such-instance' });
  });
});
