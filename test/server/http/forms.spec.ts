/** Deploying by multipart upload, and completing a user task whose embedded form checks the variables. */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { databaseKind } from '../../support/database.js';
import { login, useTestServer } from '../../support/http.js';

const decisionXml = readFileSync(new URL('./decision.bpmn', import.meta.url), 'utf8');

describe(`user task forms over HTTP (on ${databaseKind})`, () => {
  const server = useTestServer();
  let taskId: string;

  before(async () => {
    await server.reset([{ id: 'designer', roles: ['designer'] }, { id: 'head', roles: ['employee'] }]);
  });

  it('deploys a model uploaded as the multipart field "file"', async () => {
    const designer = await login(server.url, 'designer');
    const form = new FormData();
    form.append('file', new Blob([decisionXml], { type: 'application/xml' }), 'decision.bpmn');
    const response = await fetch(`${server.url}/api/deployments`, { method: 'POST', body: form, headers: { cookie: designer.cookie ?? '', 'x-csrf-token': designer.csrfToken ?? '' } });
    expect(response.status, await response.clone().text()).to.equal(201);
    expect(((await response.json()) as { processes: unknown[] }).processes).to.deep.equal([{ processId: 'decision', version: 1 }]);
  });

  it('shows the embedded form with the user task', async () => {
    const head = await server.as('head');
    const started = await head.post<{ id: string }>('/api/process-definitions/decision/instances', { variables: { approver: 'head' } });
    expect(started.status, started.text).to.equal(201);
    const inbox = await head.get<{ items: { id: string }[] }>('/api/tasks');
    taskId = inbox.body.items[0]?.id ?? '';
    const task = await head.get<{ form?: { id: string } }>(`/api/tasks/${taskId}`);
    expect(task.body.form).to.have.property('id', 'decision');
  });

  it('refuses variables that do not fit the form with 422 and every problem, and leaves the user task open', async () => {
    const head = await server.as('head');
    const refused = await head.post<{ error: { code: string; details: { problems: { at: string }[] } } }>(`/api/tasks/${taskId}/complete`, { variables: { decision: 'maybe', reason: 'x'.repeat(21) } });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.details.problems.map((problem) => problem.at).sort()).to.deep.equal(['body/decision', 'body/reason']);
    const missing = await head.post(`/api/tasks/${taskId}/complete`, { variables: {} });
    expect(missing.status).to.equal(422);
    expect((await head.get<{ state: string }>(`/api/tasks/${taskId}`)).body.state).to.equal('open');
  });

  it('completes the user task with variables that fit the form', async () => {
    const head = await server.as('head');
    expect((await head.post(`/api/tasks/${taskId}/complete`, { variables: { decision: 'reject', reason: 'Zu teuer.' } })).status).to.equal(204);
    expect((await head.get<{ state: string }>(`/api/tasks/${taskId}`)).body.state).to.equal('completed');
  });
});
