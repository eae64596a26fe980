import { expect } from 'chai';
import { ConflictError, NotFoundError } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'userTask.bpmn');

describe('userTask', () => {
  scenario('is assigned by FEEL, offered to static candidate groups, and completes with variables', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('user-task-flow', { initiator: 'anna', recipients: ['bob', 'carl'] });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(task).to.include({ elementId: 't1', name: 'Review', assignee: 'anna', priority: 50, state: 'open' });
    expect(task?.candidateGroups).to.deep.equal(['office-a', 'office-b']);
    expect(await h.engine.listUserTasks({ candidateGroup: 'office-b' })).to.have.length(1);
    await h.reload();
    await h.engine.completeUserTask(task!.id, { approved: false });
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.include({ approved: false });
  });

  scenario('completing a task twice is a ConflictError; an unknown task is a NotFoundError', async (h) => {
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('user-task-flow', { initiator: 'anna', recipients: [] });
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id });
    await h.engine.completeUserTask(task!.id, { approved: false });
    await h.reload();
    let error: unknown;
    try { await h.engine.completeUserTask(task!.id); } catch (caught) { error = caught; }
    expect(error).to.be.instanceOf(ConflictError);
    error = undefined;
    try { await h.engine.completeUserTask('no-such-task'); } catch (caught) { error = caught; }
    expect(error).to.be.instanceOf(NotFoundError);
  });
});
