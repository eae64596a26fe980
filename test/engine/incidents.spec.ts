import { expect } from 'chai';
import { ConflictError, NotFoundError, type Engine, type Incident } from '../../engine/index.js';
import { fixture, scenario } from '../support/scenario.js';

const xml = fixture(import.meta.url, 'incidents.bpmn');

async function openIncident(engine: Engine, instanceId: string): Promise<Incident> {
  const open = (await engine.listIncidents(instanceId)).filter((incident) => incident.state === 'open');
  expect(open).to.have.length(1);
  return open[0]!;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to be rejected');
}

describe('incidents', () => {
  describe('retryIncident, activate phase', () => {
    scenario('a user task whose assignee is no text waits on an incident; once the variable is fixed, retry creates the task', async (h) => {
      await h.engine.deploy(xml);
      const instance = await h.engine.startProcess('assignee-flow', { ticket: 'T1', owner: { a: 1 } });
      const stuck = await h.engine.getInstance(instance.id);
      expect(stuck.state).to.equal('incident');
      expect(stuck.activeElementIds).to.have.members(['review', 'a-fix']);
      const incident = await openIncident(h.engine, instance.id);
      expect(incident).to.include({ type: 'expression', elementId: 'review', instanceId: instance.id });
      expect(incident.message).to.contain('assignee').and.to.contain('should give a text');
      expect(await h.engine.listUserTasks({ instanceId: instance.id })).to.have.length(0);

      await h.reload();
      await h.engine.correlateMessage('fix', 'T1', { owner: 'anna' });
      expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');

      await h.engine.retryIncident(incident.id);
      const retried = await h.engine.getInstance(instance.id);
      expect(retried.state).to.equal('active');
      expect(retried.activeElementIds).to.deep.equal(['review']);
      expect(await h.engine.listIncidents(instance.id)).to.deep.equal([{ ...incident, state: 'resolved' }]);
      const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      expect(task).to.include({ elementId: 'review', assignee: 'anna' });
      await h.engine.completeUserTask(task!.id);
      expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
      const history = await h.engine.history(instance.id);
      const review = history.filter((event) => event.elementId === 'review').map((event) => event.type);
      expect(review).to.deep.equal(['activated', 'incident_created', 'incident_resolved', 'completed']);
    });

    scenario('an exclusive gateway without a matching flow waits on an incident; retry takes the flow that matches now', async (h) => {
      await h.engine.deploy(xml);
      const instance = await h.engine.startProcess('route-flow', { ticket: 'T2', tier: 'bronze' });
      expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
      const incident = await openIncident(h.engine, instance.id);
      expect(incident).to.include({ type: 'no_matching_flow', elementId: 'route' });
      expect(incident.message).to.contain("'route'");

      await h.engine.correlateMessage('fix', 'T2', { tier: 'silver' });
      await h.reload();
      await h.engine.retryIncident(incident.id);
      const retried = await h.engine.getInstance(instance.id);
      expect(retried.state).to.equal('active');
      expect(retried.activeElementIds).to.deep.equal(['silver']);
      expect((await h.engine.listIncidents(instance.id)).map((each) => each.state)).to.deep.equal(['resolved']);
      const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      await h.engine.completeUserTask(task!.id);
      const done = await h.engine.getInstance(instance.id);
      expect(done.state).to.equal('completed');
      expect(done.variables).to.include({ tier: 'silver' });
    });

    scenario('a retry whose cause is not fixed resolves the incident and raises a new open one on the same element', async (h) => {
      await h.engine.deploy(xml);
      const instance = await h.engine.startProcess('route-flow', { ticket: 'T3', tier: 'bronze' });
      const first = await openIncident(h.engine, instance.id);
      await h.reload();
      await h.engine.retryIncident(first.id);

      expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
      const incidents = await h.engine.listIncidents(instance.id);
      expect(incidents).to.have.length(2);
      expect(incidents.find((each) => each.id === first.id)).to.include({ state: 'resolved' });
      const second = await openIncident(h.engine, instance.id);
      expect(second.id).to.not.equal(first.id);
      expect(second).to.include({ type: 'no_matching_flow', elementId: 'route', elementInstanceId: first.elementInstanceId });
      const types = (await h.engine.history(instance.id)).filter((event) => event.elementId === 'route').map((event) => event.type);
      expect(types).to.deep.equal(['activated', 'incident_created', 'incident_resolved', 'incident_created']);

      const again = await rejection(h.engine.retryIncident(first.id));
      expect(again).to.be.instanceOf(ConflictError);
      expect((again as ConflictError).id).to.equal(first.id);
      expect(await openIncident(h.engine, instance.id)).to.deep.equal(second);

      await h.engine.correlateMessage('fix', 'T3', { tier: 'gold' });
      await h.engine.retryIncident(second.id);
      const retried = await h.engine.getInstance(instance.id);
      expect(retried.state).to.equal('active');
      expect(retried.activeElementIds).to.deep.equal(['gold']);
    });
  });

  describe('retryIncident, complete phase', () => {
    scenario('a completion condition that gives no boolean stops the completing inner instance; retry completes it once', async (h) => {
      await h.engine.deploy(xml);
      const instance = await h.engine.startProcess('approval-flow', { ticket: 'T4', approvers: ['ann', 'bob'] });
      const tasks = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      expect(tasks).to.have.length(2);
      await h.engine.completeUserTask(tasks[0]!.id, { vote: 'yes' });

      expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
      const first = await openIncident(h.engine, instance.id);
      expect(first).to.include({ type: 'expression', elementId: 'approve', elementInstanceId: tasks[0]!.id });
      expect(first.message).to.contain('completionCondition').and.to.contain('quorum');
      expect(await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' })).to.have.length(1);

      await h.reload();
      await h.engine.retryIncident(first.id);
      const second = await openIncident(h.engine, instance.id);
      expect(second.id).to.not.equal(first.id);
      expect(second).to.include({ elementInstanceId: first.elementInstanceId, type: 'expression' });

      // A quorum of 2: the inner instance that completed before must be counted once, not again at each retry.
      await h.engine.correlateMessage('fix', 'T4', { quorum: 2 });
      await h.engine.retryIncident(second.id);
      const waiting = await h.engine.getInstance(instance.id);
      expect(waiting.state).to.equal('active');
      expect(waiting.activeElementIds).to.deep.equal(['approve']);
      expect(waiting.variables).to.include({ vote: 'yes', quorum: 2 });
      expect((await h.engine.listIncidents(instance.id)).map((each) => each.state)).to.deep.equal(['resolved', 'resolved']);

      const [last] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      await h.engine.completeUserTask(last!.id);
      expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
      const completions = (await h.engine.history(instance.id)).filter((event) => event.elementId === 'approve' && event.type === 'completed');
      expect(completions).to.have.length(3);
    });
  });

  describe('retryIncident, job phase', () => {
    scenario('a job that failed with no retries left runs again after retry: failing again raises a new incident, succeeding completes', async (h) => {
      let calls = 0;
      let fixed = false;
      h.service('charge', async () => {
        calls += 1;
        if (!fixed) throw new Error('card service down');
        return { charged: true };
      });
      await h.engine.deploy(xml);
      const instance = await h.engine.startProcess('job-flow');
      expect(await h.engine.runDueJobs()).to.equal(1);
      expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
      const first = await openIncident(h.engine, instance.id);
      expect(first).to.include({ type: 'job_failed', elementId: 'charge' });
      expect(first.jobId).to.be.a('string');
      expect(first.message).to.contain('card service down');
      expect(await h.engine.runDueJobs()).to.equal(0);

      await h.reload();
      await h.engine.retryIncident(first.id);
      expect((await h.engine.getInstance(instance.id)).state).to.equal('active');
      expect(calls).to.equal(1);
      expect(await h.engine.runDueJobs()).to.equal(1);
      expect(calls).to.equal(2);
      expect((await h.engine.getInstance(instance.id)).state).to.equal('incident');
      const second = await openIncident(h.engine, instance.id);
      expect(second.id).to.not.equal(first.id);
      expect(second).to.include({ type: 'job_failed', jobId: first.jobId });

      fixed = true;
      await h.engine.retryIncident(second.id);
      expect(await h.engine.runDueJobs()).to.equal(1);
      expect(calls).to.equal(3);
      const done = await h.engine.getInstance(instance.id);
      expect(done.state).to.equal('completed');
      expect(done.variables).to.deep.equal({ charged: true });
      expect((await h.engine.listIncidents(instance.id)).map((each) => each.state)).to.deep.equal(['resolved', 'resolved']);
    });
  });

  describe('retryIncident, refusals', () => {
    scenario('an unknown incident id is a NotFoundError', async (h) => {
      const error = await rejection(h.engine.retryIncident('no-such-incident'));
      expect(error).to.be.instanceOf(NotFoundError);
      expect(error).to.include({ kind: 'incident', id: 'no-such-incident' });
    });

    scenario('a resolved incident is a ConflictError and changes nothing', async (h) => {
      await h.engine.deploy(xml);
      const instance = await h.engine.startProcess('route-flow', { ticket: 'T5', tier: 'bronze' });
      const incident = await openIncident(h.engine, instance.id);
      await h.engine.correlateMessage('fix', 'T5', { tier: 'gold' });
      await h.engine.retryIncident(incident.id);
      await h.reload();
      const before = await h.engine.history(instance.id);
      const error = await rejection(h.engine.retryIncident(incident.id));
      expect(error).to.be.instanceOf(ConflictError);
      expect((error as Error).message).to.contain('already resolved');
      expect(await h.engine.history(instance.id)).to.deep.equal(before);
      expect((await h.engine.getInstance(instance.id)).activeElementIds).to.deep.equal(['gold']);
    });
  });
});
