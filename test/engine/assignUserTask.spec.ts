import { expect } from 'chai';
import { ConflictError, Engine, InvalidArgumentError, NotFoundError, type UserTask } from '../../engine/index.js';
import { fixture, scenario, type Harness } from '../support/scenario.js';

const xml = fixture(import.meta.url, 'assignUserTask.bpmn');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected the promise to be rejected');
}

async function openTask(h: Harness, processId: string, variables: Record<string, unknown> = {}): Promise<UserTask> {
  await h.engine.deploy(xml);
  const instance = await h.engine.startProcess(processId, variables);
  const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
  expect(task, `${processId} waits in a user task`).to.not.equal(undefined);
  return task!;
}

async function assignments(h: Harness, instanceId: string): Promise<unknown[]> {
  return (await h.engine.history(instanceId)).filter((event) => event.type === 'assigned').map((event) => event.details);
}

describe('Engine.assignUserTask', () => {
  scenario('sets, changes and clears the assignee, returns the updated task, and records each change in history', async (h) => {
    const task = await openTask(h, 'assign-flow');
    const assigned = await h.engine.assignUserTask(task.id, 'anna');
    expect(assigned).to.include({ id: task.id, assignee: 'anna', state: 'open', elementId: 'review' });
    expect((await h.engine.listUserTasks({ assignee: 'anna' })).map((each) => each.id)).to.deep.equal([task.id]);
    await h.reload();
    expect((await h.engine.assignUserTask(task.id, 'bob')).assignee).to.equal('bob');
    expect(await h.engine.listUserTasks({ assignee: 'anna' })).to.deep.equal([]);
    await h.reload();
    const cleared = await h.engine.assignUserTask(task.id, null);
    expect(cleared).to.not.have.property('assignee');
    expect((await h.engine.getUserTask(task.id))).to.not.have.property('assignee');
    expect(await h.engine.listUserTasks({ assignee: 'bob' })).to.deep.equal([]);
    expect(await assignments(h, task.instanceId)).to.deep.equal([
      { assignee: 'anna', previousAssignee: null },
      { assignee: 'bob', previousAssignee: 'anna' },
      { assignee: null, previousAssignee: 'bob' },
    ]);
  });

  scenario('a claim (expectedAssignee null) of a task someone holds is a ConflictError naming the holder; the task stays theirs', async (h) => {
    const task = await openTask(h, 'preassigned-flow', { signer: 'carl' });
    expect(task.assignee).to.equal('carl');
    await h.reload();
    const error = await rejection(h.engine.assignUserTask(task.id, 'anna', { expectedAssignee: null }));
    expect(error).to.be.instanceOf(ConflictError);
    expect((error as ConflictError).message).to.contain("assigned to 'carl'").and.to.contain('not unassigned');
    expect((await h.engine.getUserTask(task.id)).assignee).to.equal('carl');
    expect(await assignments(h, task.instanceId)).to.deep.equal([]);
  });

  scenario('expectedAssignee that matches lets a hand-over through; one that does not is a ConflictError', async (h) => {
    const task = await openTask(h, 'preassigned-flow', { signer: 'carl' });
    const wrong = await rejection(h.engine.assignUserTask(task.id, 'anna', { expectedAssignee: 'bob' }));
    expect(wrong).to.be.instanceOf(ConflictError);
    expect((wrong as ConflictError).message).to.contain("not assigned to 'bob'");
    await h.reload();
    expect((await h.engine.assignUserTask(task.id, 'anna', { expectedAssignee: 'carl' })).assignee).to.equal('anna');
    expect(await assignments(h, task.instanceId)).to.deep.equal([{ assignee: 'anna', previousAssignee: 'carl' }]);
  });

  scenario('claiming a task one already holds succeeds and changes nothing, so a double click is no conflict', async (h) => {
    const task = await openTask(h, 'assign-flow');
    await h.engine.assignUserTask(task.id, 'anna', { expectedAssignee: null });
    await h.reload();
    expect((await h.engine.assignUserTask(task.id, 'anna', { expectedAssignee: null })).assignee).to.equal('anna');
    expect(await assignments(h, task.instanceId)).to.have.length(1);
  });

  scenario('two engines claiming one task at once give one success and one ConflictError', async (h) => {
    const task = await openTask(h, 'assign-flow');
    const rival = new Engine({ store: h.store, clock: h.now });
    const claims = await Promise.allSettled([
      h.engine.assignUserTask(task.id, 'anna', { expectedAssignee: null }),
      rival.assignUserTask(task.id, 'bob', { expectedAssignee: null }),
    ]);
    const won = claims.filter((claim) => claim.status === 'fulfilled');
    const lost = claims.filter((claim) => claim.status === 'rejected');
    expect(won).to.have.length(1);
    expect(lost).to.have.length(1);
    expect(lost[0]?.reason).to.be.instanceOf(ConflictError);
    const winner = won[0]?.value.assignee;
    expect((await h.engine.getUserTask(task.id)).assignee).to.equal(winner);
    expect(await assignments(h, task.instanceId)).to.deep.equal([{ assignee: winner, previousAssignee: null }]);
  });

  scenario('a task that is no longer open is a ConflictError; an unknown task is a NotFoundError', async (h) => {
    const task = await openTask(h, 'assign-flow');
    await h.engine.completeUserTask(task.id);
    await h.reload();
    const closed = await rejection(h.engine.assignUserTask(task.id, 'anna'));
    expect(closed).to.be.instanceOf(ConflictError);
    expect((closed as ConflictError).message).to.contain('completed');
    const unknown = await rejection(h.engine.assignUserTask('no-such-task', 'anna'));
    expect(unknown).to.be.instanceOf(NotFoundError);
    expect(unknown).to.include({ kind: 'user task', id: 'no-such-task' });
  });

  scenario('an empty assignee is an InvalidArgumentError and changes nothing', async (h) => {
    const task = await openTask(h, 'assign-flow');
    expect(await rejection(h.engine.assignUserTask(task.id, '  '))).to.be.instanceOf(InvalidArgumentError);
    expect(await h.engine.getUserTask(task.id)).to.not.have.property('assignee');
  });
});
