/**
 * Tracking a large distribution: the folder detail counts the user tasks by
 * state and shows the first page of user tasks and history, and the paged
 * lists lead through all of them (who has not yet confirmed: state=open).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { databaseKind } from '../../support/database.js';
import { useTestServer, type Client } from '../../support/http.js';

const acknowledgment = readFileSync(new URL('../../../processes/acknowledgment.bpmn', import.meta.url), 'utf8');
const RECIPIENTS = 450;
const recipients = Array.from({ length: RECIPIENTS }, (_, index) => `user-${String(index).padStart(3, '0')}`);

interface UserTaskItem { id: string; assignee?: string; state: string; createdAt: string }
interface Page<T> { items: T[]; nextCursor?: string }
interface Detail {
  userTasks: UserTaskItem[];
  userTasksNextCursor?: string;
  userTaskCounts: Record<string, number>;
  history: { type: string; elementInstanceId: string }[];
  historyNextCursor?: string;
}

describe(`tracking a distribution to ${RECIPIENTS} through the API (on ${databaseKind})`, () => {
  const server = useTestServer();
  let instanceId: string;
  let head: Client;
  const confirmed = ['user-007', 'user-123', 'user-449'];

  before(async () => {
    await server.reset([
      { id: 'designer', roles: ['designer'], groups: ['amt-10'] },
      { id: 'initiator', roles: ['employee'], groups: ['amt-10'] },
      { id: 'head', roles: ['supervisor', 'employee'], groups: ['amt-10'] },
      ...recipients.map((id) => ({ id, roles: ['employee' as const], groups: ['amt-20'] })),
    ]);
    expect((await (await server.as('designer')).send('POST', '/api/deployments', acknowledgment, 'application/xml')).status).to.equal(201);
    const started = await (await server.as('initiator')).post<{ id: string }>('/api/process-definitions/acknowledgment/instances', { variables: { recipients } });
    expect(started.status, started.text).to.equal(201);
    instanceId = started.body.id;
    const open = await server.services.engine.listUserTasks({ instanceId, state: 'open' });
    for (const task of open.filter((candidate) => confirmed.includes(candidate.assignee ?? ''))) {
      await server.services.engine.completeUserTask(task.id, { confirmedAt: '2026-03-02T09:00:00Z' });
    }
    head = await server.as('head');
  });

  it('counts the user tasks by state and shows the first 200, with a cursor to the rest', async () => {
    const detail = await head.get<Detail>(`/api/process-instances/${instanceId}`);
    expect(detail.status, detail.text).to.equal(200);
    expect(detail.body.userTaskCounts).to.deep.equal({ open: RECIPIENTS - confirmed.length, completed: confirmed.length });
    expect(detail.body.userTasks).to.have.length(200);
    expect(detail.body.userTasksNextCursor).to.be.a('string');
    expect(detail.body.history).to.have.length(200);
    expect(detail.body.historyNextCursor).to.be.a('string');
  });

  it('leads from the detail through every user task once', async () => {
    const detail = await head.get<Detail>(`/api/process-instances/${instanceId}`);
    const rest = await allPages<UserTaskItem>(head, `/api/process-instances/${instanceId}/user-tasks?limit=200`, detail.body.userTasksNextCursor);
    const all = [...detail.body.userTasks, ...rest];
    expect(all.map((task) => task.assignee).sort()).to.deep.equal(recipients);
    expect(new Set(all.map((task) => task.id)).size).to.equal(RECIPIENTS);
    expect(all.map(({ createdAt, id }) => `${createdAt} ${id}`)).to.deep.equal(all.map(({ createdAt, id }) => `${createdAt} ${id}`).sort(), 'in the order they were created');
  });

  it('lists who has not yet confirmed, page by page', async () => {
    const open = await allPages<UserTaskItem>(head, `/api/process-instances/${instanceId}/user-tasks?state=open&limit=100`);
    expect(open).to.have.length(RECIPIENTS - confirmed.length);
    expect(open.every((task) => task.state === 'open')).to.equal(true);
    expect(open.map((task) => task.assignee).sort()).to.deep.equal(recipients.filter((id) => !confirmed.includes(id)));
    const done = await allPages<UserTaskItem>(head, `/api/process-instances/${instanceId}/user-tasks?state=completed`);
    expect(done.map((task) => task.assignee).sort()).to.deep.equal(confirmed);
  });

  it('pages the history to the same events the engine recorded', async () => {
    const pages = await allPages<{ type: string; elementInstanceId: string }>(head, `/api/process-instances/${instanceId}/history?limit=150`);
    const recorded = await server.services.engine.history(instanceId);
    expect(recorded.length, 'more than three pages').to.be.greaterThan(3 * 150);
    expect(pages.map(({ type, elementInstanceId }) => `${type} ${elementInstanceId}`))
      .to.deep.equal(recorded.map(({ type, elementInstanceId }) => `${type} ${elementInstanceId}`));
  });

  it('refuses a cursor of another list, and hides the lists from people who may not read the folder', async () => {
    const detail = await head.get<Detail>(`/api/process-instances/${instanceId}`);
    const mixed = await head.get(`/api/process-instances/${instanceId}/history?cursor=${detail.body.userTasksNextCursor}`);
    expect(mixed.status, mixed.text).to.equal(400);
    const outsider = await server.as('designer');
    expect((await outsider.get(`/api/process-instances/${instanceId}/user-tasks`)).status).to.equal(404);
    expect((await outsider.get(`/api/process-instances/${instanceId}/history`)).status).to.equal(404);
  });
});

/** Every item from `path` on, following nextCursor (starting at `cursor` when given). */
async function allPages<T>(client: Client, path: string, cursor?: string): Promise<T[]> {
  const items: T[] = [];
  let next = cursor;
  let first = cursor === undefined;
  while (first || next !== undefined) {
    first = false;
    const separator = path.includes('?') ? '&' : '?';
    const page = await client.get<Page<T>>(next === undefined ? path : `${path}${separator}cursor=${encodeURIComponent(next)}`);
    expect(page.status, page.text).to.equal(200);
    items.push(...page.body.items);
    next = page.body.nextCursor;
  }
  return items;
}
