/**
 * The task inbox and the instance list over HTTP: keyset paging, sorting,
 * filters, and who sees what (assignee, candidate users, groups with their
 * parent units, deputies of absent colleagues, supervisors of units).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { databaseKind } from '../../support/database.js';
import { useTestServer, type Client, type TestServer } from '../../support/http.js';

const fixture = readFileSync(new URL('./inbox.bpmn', import.meta.url), 'utf8');
const start = new Date('2026-03-02T09:00:00Z');

interface Task { id: string; state: string; assignee?: string; deputisedFor?: string; priority: number; dueDate?: string }
interface Instance { id: string; processId: string; state: string; businessKey?: string; startedBy?: string }
interface Page<T> { items: T[]; nextCursor?: string }

describe(`the task inbox and the instance list over HTTP (on ${databaseKind})`, () => {
  const server = useTestServer();

  beforeEach(async () => {
    server.now = new Date(start);
    await server.reset([
      { id: 'anna', roles: ['employee'], groups: ['amt-20-1'] },
      { id: 'ben', roles: ['employee'], groups: ['amt-20-1'] },
      { id: 'carla', roles: ['employee'], groups: ['amt-20'] },
      { id: 'dora', roles: ['employee'], groups: ['amt-30'] },
      { id: 'emil', roles: ['employee'], groups: ['amt-31'] },
      { id: 'fritz', roles: ['employee'], groups: ['amt-31'] },
      { id: 'head', roles: ['supervisor', 'employee'], groups: ['amt-20'] },
      { id: 'admin', roles: ['admin'] },
    ]);
    await server.services.identity.updateGroup('amt-20-1', { parentId: 'amt-20' });
    await server.services.engine.deploy(fixture);
  });

  describe('GET /api/tasks paging', () => {
    it('with limit=3 gives 7 open tasks as pages of 3, 3 and 1 along nextCursor, each task once, in a stable order, the last page without nextCursor', async () => {
      const created: string[] = [];
      for (let i = 0; i < 7; i++) created.push(await openTask(server, { assignee: 'anna', dueDate: inDays(7 - i) }));
      const anna = await server.as('anna');
      const pages = await pagesOf(anna, '/api/tasks?limit=3');
      expect(pages.map((page) => page.length)).to.deep.equal([3, 3, 1]);
      expect(pages.flat()).to.deep.equal([...created].reverse(), 'earliest due first, none missing, none twice');
      expect(await pagesOf(anna, '/api/tasks?limit=3')).to.deep.equal(pages);
    });

    it('with a garbled cursor answers 400', async () => {
      await openTask(server, { assignee: 'anna' });
      const anna = await server.as('anna');
      for (const cursor of ['garbled', cursorOf({ value: 1 }), cursorOf(['2026-03-02T09:00:00Z'])]) {
        const answer = await anna.get(`/api/tasks?cursor=${encodeURIComponent(cursor)}`);
        expect(answer.status, `${cursor}: ${answer.text}`).to.equal(400);
      }
    });

    it('with sort=due and a cursor handed out for sort=priority answers 400, not 500', async () => {
      for (let i = 0; i < 2; i++) await openTask(server, { assignee: 'anna' });
      const anna = await server.as('anna');
      const { nextCursor } = await page(anna, '/api/tasks?sort=priority&limit=1');
      const answer = await anna.get(`/api/tasks?sort=due&cursor=${encodeURIComponent(nextCursor ?? '')}`);
      expect(answer.status, answer.text).to.equal(400);
    });

    it('with sort=due and limit=2 pages through tasks with equal due dates (and equal missing ones) by id, none lost or repeated', async () => {
      const early = await openTask(server, { assignee: 'anna', dueDate: inDays(1) });
      const same = await Promise.all([1, 2, 3, 4, 5].map(() => openTask(server, { assignee: 'anna', dueDate: inDays(2) })));
      const undated = await Promise.all([1, 2].map(() => openTask(server, { assignee: 'anna' })));
      const expected = [early, ...same.sort(), ...undated.sort()];
      const anna = await server.as('anna');
      expect((await pagesOf(anna, '/api/tasks?sort=due&limit=2')).flat()).to.deep.equal(expected);
      expect((await pagesOf(anna, '/api/tasks?sort=due&order=desc&limit=2')).flat()).to.deep.equal([...expected].reverse());
    });
  });

  describe('GET /api/tasks sorting', () => {
    it('by default sorts by due date, earliest first, tasks without due date last; order=desc reverses', async () => {
      const [second, undated, first, third] = [
        await openTask(server, { assignee: 'anna', dueDate: inDays(2) }), await openTask(server, { assignee: 'anna' }),
        await openTask(server, { assignee: 'anna', dueDate: inDays(1) }), await openTask(server, { assignee: 'anna', dueDate: inDays(3) }),
      ];
      const anna = await server.as('anna');
      expect(ids(await inbox(anna))).to.deep.equal([first, second, third, undated]);
      expect(ids(await inbox(anna, '?sort=due&order=desc'))).to.deep.equal([undated, third, second, first]);
    });

    it('with sort=priority puts the highest priority first; order=asc the lowest', async () => {
      for (const priority of [10, 90, 50]) await openTask(server, { assignee: 'anna', priority });
      const anna = await server.as('anna');
      expect((await inbox(anna, '?sort=priority')).map((task) => task.priority)).to.deep.equal([90, 50, 10]);
      expect((await inbox(anna, '?sort=priority&order=asc')).map((task) => task.priority)).to.deep.equal([10, 50, 90]);
    });

    it('with sort=created puts the newest task first; order=asc the oldest', async () => {
      const created: string[] = [];
      for (let i = 0; i < 3; i++) {
        created.push(await openTask(server, { assignee: 'anna', dueDate: inDays(i + 1) }));
        server.now = new Date(server.now.getTime() + 60_000);
      }
      const anna = await server.as('anna');
      expect(ids(await inbox(anna, '?sort=created'))).to.deep.equal([...created].reverse());
      expect(ids(await inbox(anna, '?sort=created&order=asc'))).to.deep.equal(created);
    });
  });

  describe('GET /api/tasks filters', () => {
    it('with processId lists only that process\'s tasks', async () => {
      await openTask(server, { assignee: 'anna' });
      const other = await openTask(server, { assignee: 'anna' }, 'inbox-other');
      expect(ids(await inbox(await server.as('anna'), '?processId=inbox-other'))).to.deep.equal([other]);
    });

    it('with dueBefore lists only tasks due before that moment, not undated ones', async () => {
      const soon = await openTask(server, { assignee: 'anna', dueDate: inDays(1) });
      await openTask(server, { assignee: 'anna', dueDate: inDays(3) });
      await openTask(server, { assignee: 'anna' });
      expect(ids(await inbox(await server.as('anna'), `?dueBefore=${encodeURIComponent(inDays(2))}`))).to.deep.equal([soon]);
    });

    it('with overdue=true lists nothing before the due date and the task once the server clock has passed it', async () => {
      const soon = await openTask(server, { assignee: 'anna', dueDate: inDays(1) });
      await openTask(server, { assignee: 'anna', dueDate: inDays(3) });
      await openTask(server, { assignee: 'anna' });
      expect(await inbox(await server.as('anna'), '?overdue=true')).to.deep.equal([]);
      server.now = new Date(inDays(2));
      expect(ids(await inbox(await server.as('anna'), '?overdue=true'))).to.deep.equal([soon]);
    });

    it('with state=completed lists the tasks I completed, not open ones nor those a colleague completed', async () => {
      const mine = await openTask(server, { candidateGroups: ['amt-20-1'] });
      const bens = await openTask(server, { candidateGroups: ['amt-20-1'] });
      await openTask(server, { assignee: 'anna' });
      const [anna, ben] = [await server.as('anna'), await server.as('ben')];
      expect((await anna.post(`/api/tasks/${mine}/complete`, {})).status).to.equal(204);
      expect((await ben.post(`/api/tasks/${bens}/complete`, {})).status).to.equal(204);
      const completed = await inbox(anna, '?state=completed');
      expect(completed.map(({ id, state, assignee }) => ({ id, state, assignee }))).to.deep.equal([{ id: mine, state: 'completed', assignee: 'anna' }]);
    });
  });

  describe('GET /api/tasks visibility', () => {
    it('an employee sees tasks assigned to them, offered to them by name and offered to their unit, not those of other people or units', async () => {
      const visible = [
        await openTask(server, { assignee: 'anna' }), await openTask(server, { candidateUsers: ['anna'] }),
        await openTask(server, { candidateGroups: ['amt-20-1'] }),
      ];
      await openTask(server, { assignee: 'carla' });
      await openTask(server, { candidateUsers: ['carla'] });
      await openTask(server, { candidateGroups: ['amt-30'] });
      expect(ids(await inbox(await server.as('anna'))).sort()).to.deep.equal(visible.sort());
    });

    it('a member of a sub-unit sees an unclaimed task offered to the parent unit, while a member of the parent unit does not see the sub-unit\'s', async () => {
      const parents = await openTask(server, { candidateGroups: ['amt-20'] });
      const subUnits = await openTask(server, { candidateGroups: ['amt-20-1'] });
      expect(ids(await inbox(await server.as('anna'))).sort()).to.deep.equal([parents, subUnits].sort());
      expect(ids(await inbox(await server.as('carla')))).to.deep.equal([parents]);
    });

    it('a member does not see a task of their unit once it is assigned to a colleague', async () => {
      await openTask(server, { assignee: 'ben', candidateGroups: ['amt-20-1'], candidateUsers: ['anna'] });
      expect(await inbox(await server.as('anna'))).to.deep.equal([]);
    });

    it('a deputy sees the absent colleague\'s assigned and personally offered tasks marked deputisedFor, not the colleague\'s group tasks', async () => {
      await absence('dora', 'emil');
      const assigned = await openTask(server, { assignee: 'dora' });
      const offered = await openTask(server, { candidateUsers: ['dora'] });
      await openTask(server, { candidateGroups: ['amt-30'] });
      const tasks = await inbox(await server.as('emil'));
      expect(tasks.map(({ id, deputisedFor }) => ({ id, deputisedFor }))).to.have.deep.members([
        { id: assigned, deputisedFor: 'dora' }, { id: offered, deputisedFor: 'dora' },
      ]);
      expect(tasks).to.have.length(2);
    });

    it('a deputy no longer sees the colleague\'s tasks once the absence has ended', async () => {
      await absence('dora', 'emil');
      const assigned = await openTask(server, { assignee: 'dora' });
      expect(ids(await inbox(await server.as('emil')))).to.deep.equal([assigned]);
      server.now = new Date(inDays(4));
      expect(await inbox(await server.as('emil'))).to.deep.equal([]);
    });

    it('a deputy\'s deputy sees the deputy\'s own tasks but nothing of the first absent colleague', async () => {
      await absence('dora', 'emil');
      await absence('emil', 'fritz');
      await openTask(server, { assignee: 'dora' });
      await openTask(server, { candidateUsers: ['dora'] });
      const emils = await openTask(server, { assignee: 'emil' });
      const tasks = await inbox(await server.as('fritz'));
      expect(tasks.map(({ id, deputisedFor }) => ({ id, deputisedFor }))).to.deep.equal([{ id: emils, deputisedFor: 'emil' }]);
    });
  });

  describe('claiming and completing group tasks', () => {
    it('when two members claim the same task at once, one gets 200 and the other 409, and the task is then only in the claimer\'s inbox', async () => {
      const task = await openTask(server, { candidateGroups: ['amt-20-1'] });
      const members = { anna: await server.as('anna'), ben: await server.as('ben') };
      const answers = await Promise.all([members.anna.post(`/api/tasks/${task}/claim`, {}), members.ben.post(`/api/tasks/${task}/claim`, {})]);
      expect(answers.map((answer) => answer.status).sort()).to.deep.equal([200, 409]);
      const [winner, loser] = answers[0]?.status === 200 ? ['anna', 'ben'] as const : ['ben', 'anna'] as const;
      expect((await inbox(members[winner])).map(({ id, assignee }) => ({ id, assignee }))).to.deep.equal([{ id: task, assignee: winner }]);
      expect(await inbox(members[loser])).to.deep.equal([]);
      expect(await inbox(await server.as('carla'))).to.deep.equal([], 'nor in the parent unit\'s');
    });

    it('a member claiming a task a colleague has already claimed gets 409, as for a lost race', async () => {
      const task = await openTask(server, { candidateGroups: ['amt-20-1'] });
      expect((await (await server.as('ben')).post(`/api/tasks/${task}/claim`, {})).status).to.equal(200);
      const late = await (await server.as('anna')).post(`/api/tasks/${task}/claim`, {});
      expect(late.status, late.text).to.equal(409);
    });

    it('unclaiming a claimed task gives it back to every member of the group', async () => {
      const task = await openTask(server, { candidateGroups: ['amt-20-1'] });
      const [anna, ben] = [await server.as('anna'), await server.as('ben')];
      expect((await anna.post(`/api/tasks/${task}/claim`, {})).status).to.equal(200);
      expect(await inbox(ben)).to.deep.equal([]);
      const released = await anna.post<Task>(`/api/tasks/${task}/unclaim`, {});
      expect(released.status, released.text).to.equal(200);
      expect(released.body.assignee).to.equal(undefined);
      for (const member of [anna, ben]) expect((await inbox(member)).map(({ id, assignee }) => ({ id, assignee }))).to.deep.equal([{ id: task, assignee: undefined }]);
    });

    it('completing an unclaimed group task claims it on the way (204); GET /api/tasks/{id} then shows it completed by the completer, and the other member no longer finds it', async () => {
      const task = await openTask(server, { candidateGroups: ['amt-20-1'] });
      const [anna, ben] = [await server.as('anna'), await server.as('ben')];
      expect((await ben.post(`/api/tasks/${task}/complete`, { variables: { done: true } })).status).to.equal(204);
      const read = await ben.get<Task>(`/api/tasks/${task}`);
      expect(read.status, read.text).to.equal(200);
      expect(read.body).to.include({ id: task, state: 'completed', assignee: 'ben' });
      expect(await inbox(ben)).to.deep.equal([]);
      expect(await inbox(anna)).to.deep.equal([]);
      expect((await anna.get(`/api/tasks/${task}`)).status).to.equal(404);
    });
  });

  describe('GET /api/process-instances', () => {
    it('pages with limit and cursor, newest first, each instance once', async () => {
      const anna = await server.as('anna');
      const started: string[] = [];
      for (let i = 0; i < 5; i++) {
        started.push(await startInstance(anna));
        server.now = new Date(server.now.getTime() + 60_000);
      }
      const pages = await pagesOf(anna, '/api/process-instances?limit=2');
      expect(pages.map((page) => page.length)).to.deep.equal([2, 2, 1]);
      expect(pages.flat()).to.deep.equal([...started].reverse());
    });

    it('with a cursor it did not give out answers 400', async () => {
      const anna = await server.as('anna');
      for (const cursor of ['garbled', cursorOf(['soon', 'x'])]) {
        const answer = await anna.get(`/api/process-instances?cursor=${encodeURIComponent(cursor)}`);
        expect(answer.status, `${cursor}: ${answer.text}`).to.equal(400);
      }
    });

    it('filters by processId, state and businessKey', async () => {
      const anna = await server.as('anna');
      const first = await startInstance(anna, 'inbox-task', 'AZ-1');
      const done = await startInstance(anna, 'inbox-task', 'AZ-2');
      const other = await startInstance(anna, 'inbox-other', 'AZ-3');
      const [task] = await server.services.engine.listUserTasks({ instanceId: done });
      expect((await anna.post(`/api/tasks/${task?.id ?? ''}/complete`, {})).status).to.equal(204);
      expect(ids(await instances(anna, '?processId=inbox-other'))).to.deep.equal([other]);
      expect(ids(await instances(anna, '?state=completed'))).to.deep.equal([done]);
      expect(ids(await instances(anna, '?businessKey=AZ-1'))).to.deep.equal([first]);
      expect(ids(await instances(anna, '?state=active&processId=inbox-task'))).to.deep.equal([first]);
    });

    it('shows a supervisor of a parent unit the instances started in its sub-unit, an employee only their own, an admin all', async () => {
      const inSubUnit = await startInstance(await server.as('anna'));
      const inUnit = await startInstance(await server.as('carla'));
      const elsewhere = await startInstance(await server.as('dora'));
      expect(ids(await instances(await server.as('head'))).sort()).to.deep.equal([inSubUnit, inUnit].sort());
      expect(ids(await instances(await server.as('anna')))).to.deep.equal([inSubUnit]);
      expect(ids(await instances(await server.as('carla')))).to.deep.equal([inUnit]);
      expect(ids(await instances(await server.as('admin'))).sort()).to.deep.equal([inSubUnit, inUnit, elsewhere].sort());
    });
  });

  async function absence(absentUserId: string, deputyUserId: string): Promise<void> {
    await server.services.identity.createDeputy({ absentUserId, deputyUserId, startsAt: new Date('2026-03-01T00:00:00Z'), endsAt: new Date(inDays(3)) });
  }
});

/** Starts an instance of the fixture and answers the id of its one user task. */
async function openTask(server: TestServer, variables: Record<string, unknown>, processId = 'inbox-task'): Promise<string> {
  const instance = await server.services.engine.startProcess(processId, { priority: 50, ...variables });
  const tasks = await server.services.engine.listUserTasks({ instanceId: instance.id });
  expect(tasks).to.have.length(1);
  return tasks[0]?.id ?? '';
}

async function startInstance(client: Client, processId = 'inbox-task', businessKey?: string): Promise<string> {
  const answer = await client.post<Instance>(`/api/process-definitions/${processId}/instances`, {
    variables: { assignee: 'anna', priority: 50 }, ...(businessKey ? { businessKey } : {}),
  });
  expect(answer.status, answer.text).to.equal(201);
  return answer.body.id;
}

async function inbox(client: Client, query = ''): Promise<Task[]> {
  return (await page<Task>(client, `/api/tasks${query}`)).items;
}

async function instances(client: Client, query = ''): Promise<Instance[]> {
  return (await page<Instance>(client, `/api/process-instances${query}`)).items;
}

async function page<T>(client: Client, path: string): Promise<Page<T>> {
  const answer = await client.get<Page<T>>(path);
  expect(answer.status, answer.text).to.equal(200);
  return answer.body;
}

/** Follows nextCursor from the first page to the last (at most 20 pages), answering each page's ids. */
async function pagesOf(client: Client, path: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const next = await page<{ id: string }>(client, cursor === undefined ? path : `${path}&cursor=${encodeURIComponent(cursor)}`);
    pages.push(ids(next.items));
    cursor = next.nextCursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

function ids(items: { id: string }[]): string[] {
  return items.map((item) => item.id);
}

/** An ISO timestamp this many days after the tests' start. */
function inDays(days: number): string {
  return new Date(start.getTime() + days * 86_400_000).toISOString();
}

function cursorOf(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
