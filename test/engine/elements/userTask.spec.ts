import { expect } from 'chai';
import { ConflictError, NotFoundError } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'userTask.bpmn');
const prioritised = fixture(import.meta.url, 'userTaskPriority.bpmn');

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

  scenario('takes its priority from a FEEL expression, and raises an incident when it gives no whole number from 0 to 100', async (h) => {
    await h.engine.deploy(prioritised);
    const urgent = await h.engine.startProcess('prioritised', { urgency: 80 });
    expect((await h.engine.listUserTasks({ instanceId: urgent.id }))[0]).to.include({ priority: 80 });
    const written = await h.engine.startProcess('prioritised-static', {});
    expect((await h.engine.listUserTasks({ instanceId: written.id }))[0]).to.include({ priority: 70 });
    for (const variables of [{}, { urgency: null }, { urgency: '80' }, { urgency: 101 }, { urgency: 2.5 }]) {
      const instance = await h.engine.startProcess('prioritised', variables);
      expect(await h.engine.listUserTasks({ instanceId: instance.id }), JSON.stringify(variables)).to.have.length(0);
      const [incident] = await h.engine.listIncidents(instance.id);
      expect(incident, JSON.stringify(variables)).to.include({ elementId: 't', state: 'open' });
      expect(incident?.message).to.contain("priority '=urgency'");
    }
  });
});
