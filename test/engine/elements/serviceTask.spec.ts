import { expect } from 'chai';
import { BpmnError, DeploymentError, Engine, MemoryStore, type ServiceJob } from '../../../engine/index.js';
import { fixture, scenario } from '../../support/scenario.js';

const xml = fixture(import.meta.url, 'serviceTask.bpmn');
const retriesXml = fixture(import.meta.url, 'serviceTaskRetries.bpmn');
/** The retries model with its count written as `retries` (a static value when it has no '='). */
const withRetries = (retries: string): string => retriesXml.replace('retries="=attempts"', `retries="${retries}"`);

describe('serviceTask', () => {
  scenario('runs the handler with the instance variables and headers; its output lands in the instance', async (h) => {
    const seen: ServiceJob[] = [];
    h.service('calculate', async (job) => { seen.push(job); return { result: (job.variables.a as number) * 2 }; });
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('service-flow', { a: 21 });
    expect(instance.activeElementIds).to.deep.equal(['calc']);
    await h.reload();
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.include({ type: 'calculate', elementId: 'calc', instanceId: instance.id, retries: 2 });
    expect(seen[0]?.variables).to.include({ a: 21 });
    expect(seen[0]?.customHeaders).to.deep.equal({ mode: 'fast' });
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.deep.equal({ a: 21, result: 42 });
    const history = await h.engine.history(instance.id);
    expect(history.find((event) => event.type === 'completed' && event.elementId === 'calc')).to.include({ elementType: 'serviceTask' });
  });

  scenario('a failing handler is retried after the backoff, then raises a job_failed incident; the token stays', async (h) => {
    let calls = 0;
    h.service('calculate', async () => { calls += 1; throw new Error('backend down'); });
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('service-flow', { a: 1 });
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect(calls).to.equal(1);
    const retrying = await h.engine.getInstance(instance.id);
    expect(retrying.state).to.equal('active');
    expect(retrying.activeElementIds).to.deep.equal(['calc']);
    expect(await h.engine.runDueJobs()).to.equal(0);
    expect(calls).to.equal(1);
    await h.reload();
    h.advance(1_000);
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect(calls).to.equal(2);
    const stuck = await h.engine.getInstance(instance.id);
    expect(stuck.state).to.equal('incident');
    expect(stuck.activeElementIds).to.deep.equal(['calc']);
    const incidents = await h.engine.listIncidents(instance.id);
    expect(incidents).to.have.length(1);
    expect(incidents[0]).to.include({ type: 'job_failed', elementId: 'calc', state: 'open' });
    expect(incidents[0]?.message).to.contain('backend down');
    h.advance(60 * 60_000);
    expect(await h.engine.runDueJobs()).to.equal(0);
    expect(calls).to.equal(2);

    h.service('calculate', async () => { calls += 1; return { result: 'ok' }; });
    await h.engine.retryIncident(incidents[0]!.id);
    await h.engine.runDueJobs();
    const done = await h.engine.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    expect(done.variables).to.include({ result: 'ok' });
    expect((await h.engine.listIncidents(instance.id))[0]).to.include({ state: 'resolved' });
    const types = (await h.engine.history(instance.id)).map((event) => event.type);
    expect(types).to.include.members(['incident_created', 'incident_resolved']);
  });

  scenario('a BpmnError from the handler is caught by the error boundary event', async (h) => {
    h.service('charge', async () => { throw new BpmnError('CARD_DECLINED'); });
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('service-error', { card: 'x' });
    await h.reload();
    expect(await h.engine.runDueJobs()).to.equal(1);
    const after = await h.engine.getInstance(instance.id);
    expect(after.state).to.equal('active');
    expect(after.activeElementIds).to.deep.equal(['handle']);
    expect(await h.engine.listIncidents(instance.id)).to.have.length(0);
    const history = await h.engine.history(instance.id);
    expect(history.find((event) => event.elementId === 'charge' && event.type === 'terminated')).to.include({ elementType: 'serviceTask' });
    expect(history.some((event) => event.elementId === 'declined' && event.type === 'completed')).to.equal(true);
    expect(history.some((event) => event.elementId === 'e2')).to.equal(false);
    const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await h.engine.completeUserTask(task!.id);
    expect((await h.engine.getInstance(instance.id)).state).to.equal('completed');
  });

  scenario('takes its retries from a FEEL expression; one that gives no whole number ≥ 0, the string "3" among them, raises an incident', async (h) => {
    const seen: ServiceJob[] = [];
    h.service('send', async (job) => { seen.push(job); return {}; });
    await h.engine.deploy(retriesXml);
    const reachSend = async (variables: Record<string, unknown>): Promise<string> => {
      const instance = await h.engine.startProcess('retries-expression', variables);
      const [task] = await h.engine.listUserTasks({ instanceId: instance.id, state: 'open' });
      await h.reload();
      await h.engine.completeUserTask(task!.id);
      return instance.id;
    };
    await reachSend({ attempts: 4 });
    expect(await h.engine.runDueJobs()).to.equal(1);
    expect(seen[0]).to.include({ elementId: 'send', retries: 4 });
    for (const variables of [{ attempts: '3' }, {}, { attempts: -1 }, { attempts: 1.5 }]) {
      const instanceId = await reachSend(variables);
      const [incident] = await h.engine.listIncidents(instanceId);
      expect(incident, JSON.stringify(variables)).to.include({ elementId: 'send', type: 'expression', state: 'open' });
      expect(incident?.message).to.contain("retries '=attempts' of 'send' should give a whole number ≥ 0");
    }
    expect(await h.engine.runDueJobs()).to.equal(0);
  });

  it('refuses a deployment whose retries or priority, written without \'=\', is no whole number in range', async () => {
    const engine = new Engine({ store: new MemoryStore() });
    const refusal = async (model: string): Promise<DeploymentError> => {
      try {
        await engine.deploy(model);
      } catch (error) {
        if (error instanceof DeploymentError) return error;
        throw error;
      }
      throw new Error('the deployment was accepted');
    };
    for (const retries of ['drei', '-1', '2.5']) {
      expect((await refusal(withRetries(retries))).problems, retries).to.deep.equal([
        { elementId: 'send', message: `retries: '${retries}' is not a whole number ≥ 0 (nor a FEEL expression, which starts with '=')` },
      ]);
    }
    const prioritised = fixture(import.meta.url, 'userTaskPriority.bpmn');
    for (const priority of ['hoch', '101']) {
      expect((await refusal(prioritised.replace('priority="70"', `priority="${priority}"`))).problems, priority).to.deep.equal([
        { elementId: 't2', message: `priority: '${priority}' is not a whole number from 0 to 100 (nor a FEEL expression, which starts with '=')` },
      ]);
    }
    expect((await engine.deploy(withRetries('0'))).processes).to.deep.equal([{ processId: 'retries-expression', version: 1 }]);
  });

  it('runs the instances of a model stored before that check: the bad count raises an incident where it is used', async () => {
    const store = new MemoryStore();
    // As an earlier version of the engine stored it, past today's deployment checks.
    await store.saveDeployment({ id: 'earlier', deployedAt: new Date().toISOString(), xml: withRetries('drei') }, [{ processId: 'retries-expression' }]);
    const engine = new Engine({ store });
    const instance = await engine.startProcess('retries-expression', {});
    const [task] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await engine.completeUserTask(task!.id);
    const [incident] = await engine.listIncidents(instance.id);
    expect(incident).to.include({ elementId: 'send', type: 'expression', state: 'open' });
    expect(incident?.message).to.contain("retries 'drei' of 'send' should give a whole number ≥ 0, not \"drei\"");
  });

  scenario('a handler result the store could not keep as given fails the job like a throw: retried, then an incident naming the place', async (h) => {
    h.service('calculate', async () => ({ result: 'a\u0000b', detail: { ratio: Number.NaN } }));
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('service-flow', { a: 1 });
    expect(await h.engine.runDueJobs()).to.equal(1);
    await h.reload();
    h.advance(1_000);
    expect(await h.engine.runDueJobs()).to.equal(1);
    const stuck = await h.engine.getInstance(instance.id);
    expect(stuck.state).to.equal('incident');
    expect(stuck.variables).to.deep.equal({ a: 1 });
    const [incident] = await h.engine.listIncidents(instance.id);
    expect(incident).to.include({ type: 'job_failed', elementId: 'calc', state: 'open' });
    expect(incident?.message).to.contain('the handler returned variables that cannot be stored')
      .and.contain('/result must not contain the character U+0000 (NUL)').and.contain('/detail/ratio must be a number within the range of a double');
  });

  scenario('so do the variables of a BpmnError it throws: the error is not caught, the job fails', async (h) => {
    h.service('charge', async () => { throw new BpmnError('CARD_DECLINED', 'declined', { reason: 'x\ud800' }); });
    await h.engine.deploy(xml);
    const instance = await h.engine.startProcess('service-error', {});
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(await h.engine.runDueJobs(), `attempt ${attempt + 1}`).to.equal(1);
      await h.reload();
      h.advance(1_000);
    }
    const after = await h.engine.getInstance(instance.id);
    expect(after.activeElementIds).to.deep.equal(['charge']);
    expect(after.state).to.equal('incident');
    const [incident] = await h.engine.listIncidents(instance.id);
    expect(incident?.message).to.contain('/reason must not contain an unpaired UTF-16 surrogate');
  });
});
