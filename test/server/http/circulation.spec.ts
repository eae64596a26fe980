/**
 * A whole circulation folder through the API, as the people who use it: a
 * designer deploys, an initiator starts a distribution, two employees confirm
 * (one absent, so their deputy confirms for them), and the supervisor reads the
 * folder and its audit trail.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { databaseKind } from '../../support/database.js';
import { useTestServer, type Client } from '../../support/http.js';

const acknowledgment = readFileSync(new URL('../../../processes/acknowledgment.bpmn', import.meta.url), 'utf8');

interface Task { id: string; assignee?: string; deputisedFor?: string; instanceId: string }
interface AuditItem { actorId?: string; onBehalfOf?: string; action: string; objectType: string; objectId?: string; status: number }

describe(`a circulation through the API (on ${databaseKind})`, () => {
  const server = useTestServer();

  before(async () => {
    await server.reset([
      { id: 'designer', roles: ['designer', 'employee'], groups: ['amt-10'] },
      { id: 'initiator', roles: ['employee'], groups: ['amt-10-1'] },
      { id: 'clerk', roles: ['employee'], groups: ['amt-10'] },
      { id: 'absent', roles: ['employee'], groups: ['amt-11'] },
      { id: 'deputy', roles: ['employee'], groups: ['amt-11'] },
      { id: 'head', roles: ['supervisor', 'employee'], groups: ['amt-10'] },
    ]);
    await server.services.identity.updateGroup('amt-10-1', { parentId: 'amt-10' });
    await server.services.identity.createDeputy({
      absentUserId: 'absent', deputyUserId: 'deputy',
      startsAt: new Date('2026-03-01T00:00:00Z'), endsAt: new Date('2026-03-15T00:00:00Z'),
    });
  });

  it('runs from deployment to the supervisor reading the audit, with the deputy recorded as acting for the absent colleague', async () => {
    const designer = await server.as('designer');
    const deployed = await designer.send('POST', '/api/deployments', acknowledgment, 'application/xml');
    expect(deployed.status, deployed.text).to.equal(201);

    const initiator = await server.as('initiator');
    const started = await initiator.post<{ id: string; state: string }>('/api/process-definitions/acknowledgment/instances', {
      businessKey: 'Rundschreiben 2026/7', variables: { recipients: ['clerk', 'absent'], subject: 'Neue Dienstanweisung' },
    });
    expect(started.status, started.text).to.equal(201);
    const instanceId = started.body.id;

    const clerk = await server.as('clerk');
    const clerkTask = await onlyTask(clerk);
    expect(clerkTask.deputisedFor).to.equal(undefined);
    server.now = new Date('2026-03-02T09:05:00Z');
    expect((await clerk.post(`/api/tasks/${clerkTask.id}/complete`)).status).to.equal(204);

    const deputy = await server.as('deputy');
    const deputised = await onlyTask(deputy);
    expect(deputised).to.include({ assignee: 'absent', deputisedFor: 'absent', instanceId });
    expect((await deputy.post(`/api/tasks/${deputised.id}/comments`, { text: 'Bestätigt in Vertretung.' })).status).to.equal(201);
    server.now = new Date('2026-03-02T09:07:00Z');
    // The time of the confirmation is the server's, whatever the client sends.
    expect((await deputy.post(`/api/tasks/${deputised.id}/complete`, { variables: { confirmedAt: '2026-01-01T00:00:00Z' } })).status).to.equal(204);

    const head = await server.as('head');
    const folder = await head.get<{ state: string; startedBy: string; variables: { confirmations: unknown[] } }>(`/api/process-instances/${instanceId}`);
    expect(folder.status, folder.text).to.equal(200);
    expect(folder.body).to.include({ state: 'completed', startedBy: 'initiator' });
    expect(folder.body.variables.confirmations).to.deep.equal([
      { recipient: 'clerk', confirmedAt: '2026-03-02T09:05:00Z' },
      { recipient: 'absent', confirmedAt: '2026-03-02T09:07:00Z' },
    ]);

    const audit = await head.get<{ items: AuditItem[] }>(`/api/process-instances/${instanceId}/audit`);
    expect(audit.status).to.equal(200);
    expect(audit.body.items.map(({ actorId, onBehalfOf, action, status }) => ({ actorId, onBehalfOf, action, status }))).to.deep.equal([
      { actorId: 'initiator', onBehalfOf: undefined, action: 'start', status: 201 },
      { actorId: 'clerk', onBehalfOf: undefined, action: 'complete', status: 204 },
      { actorId: 'deputy', onBehalfOf: 'absent', action: 'comment', status: 201 },
      { actorId: 'deputy', onBehalfOf: 'absent', action: 'complete', status: 204 },
    ]);
  });

  it('keeps the folder from people who neither started it, supervise its unit, nor hold a user task in it', async () => {
    const initiator = await server.as('initiator');
    const started = await initiator.post<{ id: string }>('/api/process-definitions/acknowledgment/instances', { variables: { recipients: ['clerk'] } });
    const outsider = await server.as('deputy');
    expect((await outsider.get(`/api/process-instances/${started.body.id}`)).status).to.equal(404);
    expect((await outsider.get(`/api/process-instances/${started.body.id}/audit`)).status).to.equal(404);
    const clerk = await server.as('clerk');
    expect((await clerk.get(`/api/process-instances/${started.body.id}`)).status, 'a recipient reads the folder while the user task is open').to.equal(200);
  });
});

async function onlyTask(client: Client): Promise<Task> {
  const inbox = await client.get<{ items: Task[] }>('/api/tasks');
  expect(inbox.status, inbox.text).to.equal(200);
  expect(inbox.body.items).to.have.length(1);
  return inbox.body.items[0] as Task;
}
