import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { pino } from 'pino';
import { Engine } from '../../../engine/index.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { createApp } from '../../../server/http/createApp.js';
import type { Services } from '../../../server/http/services.js';
import { servicesFor } from '../../../server/startServer.js';
import type { Role } from '../../../server/identity/IdentityStore.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';
import { testHttpSettings } from '../../support/http.js';

// A minimal server harness of its own, with the shared HTTP settings and the production body limits.
const settings = { ...testHttpSettings, jsonLimitBytes: 1_048_576, xmlLimitBytes: 5_242_880 };
const identityTables = 'users, groups, memberships, deputies, sessions, api_tokens';

type Caller = { cookie: string; csrf: string } | { token: string } | undefined;
interface Answer { status: number; body: any; headers: Headers } // eslint-disable-line @typescript-eslint/no-explicit-any

function useAdminServer() {
  const db = useTestDatabase();
  const server = { url: '', services: undefined as unknown as Services, admin: undefined as Caller };
  let http: Server | undefined;
  before(async () => {
    const { database } = db.current;
    const engine = new Engine({ store: new KnexStore(database.knex) });
    server.services = servicesFor(database, engine, settings, pino({ level: 'silent' }), () => new Date());
    http = createServer(createApp(server.services)).listen(0, '127.0.0.1');
    await new Promise((resolve) => http?.once('listening', resolve));
    server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => { http?.closeAllConnections(); http?.close(resolve); }));
  beforeEach(async () => {
    // The audit log stays: it is append-only, and each test looks only at its own objects.
    await db.current.database.knex.raw(`truncate ${identityTables} cascade`);
    await addUser('admin', ['admin']);
    server.admin = await login('admin');
  });

  async function addUser(id: string, roles: Role[]): Promise<void> {
    await server.services.identity.createUser({ id, displayName: id, password: `${id}-password-1`, roles });
  }
  async function login(userId: string, password = `${userId}-password-1`): Promise<Caller> {
    const answer = await call('POST', '/api/login', undefined, { userId, password });
    if (answer.status !== 200) throw new Error(`login of ${userId} failed: ${answer.status}`);
    return { cookie: answer.headers.getSetCookie().map((header) => header.split(';')[0]).join('; '), csrf: answer.body.csrfToken };
  }
  async function call(method: string, path: string, caller: Caller, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (caller && 'token' in caller) headers['authorization'] = `Bearer ${caller.token}`;
    if (caller && 'cookie' in caller) Object.assign(headers, { cookie: caller.cookie, 'x-csrf-token': caller.csrf });
    const answer = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await answer.text();
    return { status: answer.status, body: text ? JSON.parse(text) : undefined, headers: answer.headers };
  }
  return Object.assign(server, { addUser, login, call });
}

describe(`identity administration API on ${databaseKind}`, () => {
  const s = useAdminServer();
  const asAdmin = (method: string, path: string, body?: unknown) => s.call(method, path, s.admin, body);
  const newUser = { id: 'a.mueller', displayName: 'Anna Müller', email: 'anna@example.org', password: 'secret-password-1', roles: ['employee'] };

  describe('users', () => {
    it('POST /api/users creates a user that GET shows with hasPassword but no password hash', async () => {
      expect((await asAdmin('POST', '/api/users', newUser)).status).to.equal(201);
      const { status, body } = await asAdmin('GET', '/api/users/a.mueller');
      expect(status).to.equal(200);
      expect(body).to.include({ id: 'a.mueller', displayName: 'Anna Müller', email: 'anna@example.org', hasPassword: true, active: true });
      expect(JSON.stringify(body)).not.to.match(/hash|argon|secret-password/i);
    });

    it('GET /api/users with a search lists only matching users, paged by limit and offset', async () => {
      for (const id of ['b.schmidt', 'b.weber', 'c.meier']) await s.addUser(id, ['employee']);
      const found = await asAdmin('GET', '/api/users?search=b.&limit=1&offset=1');
      expect(found.body.items.map((user: { id: string }) => user.id)).to.deep.equal(['b.weber']);
      expect(JSON.stringify(found.body)).not.to.match(/hash/i);
    });

    it('PATCH /api/users/{id} changes name and roles; DELETE removes the user (then 404)', async () => {
      await asAdmin('POST', '/api/users', newUser);
      const patched = await asAdmin('PATCH', '/api/users/a.mueller', { displayName: 'Anna M.', roles: ['employee', 'supervisor'] });
      expect(patched.body).to.include({ displayName: 'Anna M.' }).and.to.have.deep.property('roles', ['employee', 'supervisor']);
      expect((await asAdmin('DELETE', '/api/users/a.mueller')).status).to.equal(204);
      expect((await asAdmin('GET', '/api/users/a.mueller')).status).to.equal(404);
      expect((await asAdmin('DELETE', '/api/users/a.mueller')).body.error.code).to.equal('not_found');
    });

    it('PATCH active false ends the user\'s sessions for good: 401 even after reactivation, and no login meanwhile', async () => {
      await s.addUser('b.schmidt', ['employee']);
      const session = await s.login('b.schmidt');
      expect((await s.call('GET', '/api/me', session)).status).to.equal(200);
      expect((await asAdmin('PATCH', '/api/users/b.schmidt', { active: false })).body).to.include({ active: false });
      expect((await s.call('GET', '/api/me', session)).status).to.equal(401);
      expect(await s.login('b.schmidt').catch(() => 'refused')).to.equal('refused');
      await asAdmin('PATCH', '/api/users/b.schmidt', { active: true });
      expect((await s.call('GET', '/api/me', session)).status).to.equal(401);
    });

    it('PATCH password ends the old sessions and the new password logs in', async () => {
      await s.addUser('b.schmidt', ['employee']);
      const before = await s.login('b.schmidt');
      expect((await asAdmin('PATCH', '/api/users/b.schmidt', { password: 'a-new-password-2' })).body).to.include({ hasPassword: true });
      expect((await s.call('GET', '/api/me', before)).status).to.equal(401);
      expect((await s.call('GET', '/api/me', await s.login('b.schmidt', 'a-new-password-2'))).status).to.equal(200);
    });

    it('POST /api/users with a taken id answers 409 conflict', async () => {
      await asAdmin('POST', '/api/users', newUser);
      const { status, body } = await asAdmin('POST', '/api/users', { ...newUser, displayName: 'Someone else' });
      expect([status, body.error.code]).to.deep.equal([409, 'conflict']);
    });

    it('POST /api/users with a bad id, a short password, an unknown role or an extra field answers 400 listing each', async () => {
      const { status, body } = await asAdmin('POST', '/api/users', { ...newUser, id: 'a mueller', password: 'short', roles: ['king'], extra: 1 });
      expect(status).to.equal(400);
      expect(body.error).to.include({ code: 'validation_failed' }).and.to.have.property('message');
      const places = body.error.details.problems.map((problem: { at: string }) => problem.at);
      expect(places).to.include.members(['body/id', 'body/password', 'body/roles/0', 'body']);
    });

    it('the user routes answer 403 to an employee and 401 to an anonymous caller', async () => {
      await s.addUser('b.schmidt', ['employee']);
      expect((await s.call('GET', '/api/users', await s.login('b.schmidt'))).status).to.equal(403);
      expect((await s.call('GET', '/api/users', undefined)).status).to.equal(401);
    });

    it('the audit entry of a user creation names the user but never the password', async () => {
      await asAdmin('POST', '/api/users', newUser);
      const rows = await s.services.knex('audit_log').where({ object_type: 'user', object_id: 'a.mueller', action: 'create' });
      expect(rows).to.have.length.of.at.least(1);
      expect(JSON.stringify(rows)).not.to.contain(newUser.password);
    });

    it('GET /api/users/{id}/groups lists the direct units only', async () => {
      await asAdmin('POST', '/api/groups', { id: 'amt', name: 'Amt' });
      await asAdmin('POST', '/api/groups', { id: 'amt.it', name: 'IT', parentId: 'amt' });
      await asAdmin('PUT', '/api/groups/amt.it/members/admin');
      expect((await asAdmin('GET', '/api/users/admin/groups')).body.items).to.deep.equal([{ id: 'amt.it', name: 'IT', parentId: 'amt' }]);
    });
  });

  describe('API tokens', () => {
    it('a token issued by POST works as Bearer on /api/me until DELETE /api/tokens/{id} revokes it', async () => {
      await s.addUser('fachverfahren', ['integration']);
      const issued = await asAdmin('POST', '/api/users/fachverfahren/tokens', { name: 'import' });
      expect(issued.status).to.equal(201);
      const bearer = { token: issued.body.token as string };
      expect((await s.call('GET', '/api/me', bearer)).body).to.include({ userId: 'fachverfahren' });
      const listed = await asAdmin('GET', '/api/users/fachverfahren/tokens');
      expect(listed.body.items.map((token: { id: string }) => token.id)).to.deep.equal([issued.body.id]);
      const secret = bearer.token.slice(`umt_${issued.body.id}_`.length);
      expect(secret).to.have.length.above(10);
      expect(JSON.stringify(listed.body)).not.to.contain(secret);
      expect((await asAdmin('DELETE', `/api/tokens/${issued.body.id}`)).status).to.equal(204);
      expect((await s.call('GET', '/api/me', bearer)).status).to.equal(401);
    });

    it('DELETE /api/tokens/{id} of an unknown token answers 404, POST for an unknown user 404', async () => {
      expect((await asAdmin('DELETE', '/api/tokens/00000000-0000-0000-0000-000000000000')).status).to.equal(404);
      expect((await asAdmin('POST', '/api/users/nobody/tokens', { name: 'x' })).status).to.equal(404);
    });
  });

  describe('groups and memberships', () => {
    beforeEach(async () => {
      await asAdmin('POST', '/api/groups', { id: 'amt', name: 'Amt' });
      await asAdmin('POST', '/api/groups', { id: 'amt.it', name: 'IT', parentId: 'amt' });
      await s.addUser('b.schmidt', ['employee']);
    });

    it('a member of a nested unit belongs to its parent too, and an employee may list the units', async () => {
      expect((await asAdmin('PUT', '/api/groups/amt.it/members/b.schmidt')).status).to.equal(204);
      const employee = await s.login('b.schmidt');
      expect((await s.call('GET', '/api/me', employee)).body.groups).to.deep.equal(['amt', 'amt.it']);
      expect((await s.call('GET', '/api/groups', employee)).body.items).to.deep.equal([{ id: 'amt', name: 'Amt' }, { id: 'amt.it', name: 'IT', parentId: 'amt' }]);
    });

    it('GET members shows admins whole users and employees only id and name', async () => {
      await asAdmin('PUT', '/api/groups/amt/members/b.schmidt');
      expect((await asAdmin('GET', '/api/groups/amt/members')).body.items[0]).to.include({ id: 'b.schmidt', active: true });
      const seen = await s.call('GET', '/api/groups/amt/members', await s.login('b.schmidt'));
      expect(seen.body.items).to.deep.equal([{ id: 'b.schmidt', displayName: 'b.schmidt' }]);
    });

    it('DELETE a membership answers 204, then 404; PUT for an unknown user 404', async () => {
      await asAdmin('PUT', '/api/groups/amt/members/b.schmidt');
      expect((await asAdmin('DELETE', '/api/groups/amt/members/b.schmidt')).status).to.equal(204);
      expect((await asAdmin('GET', '/api/groups/amt/members')).body.items).to.deep.equal([]);
      expect((await asAdmin('DELETE', '/api/groups/amt/members/b.schmidt')).status).to.equal(404);
      expect((await asAdmin('PUT', '/api/groups/amt/members/nobody')).status).to.equal(404);
    });

    it('PATCH renames and moves a unit; parentId null makes it top-level; a move under itself is 409', async () => {
      expect((await asAdmin('PATCH', '/api/groups/amt', { parentId: 'amt.it' })).status).to.equal(409);
      const moved = await asAdmin('PATCH', '/api/groups/amt.it', { name: 'Informatik', parentId: null });
      expect(moved.body).to.deep.equal({ id: 'amt.it', name: 'Informatik' });
      expect((await asAdmin('GET', '/api/groups/amt.it')).body).to.deep.equal({ id: 'amt.it', name: 'Informatik' });
    });

    it('a parent that does not exist answers 422 on POST and PATCH; a taken id 409', async () => {
      expect((await asAdmin('POST', '/api/groups', { id: 'x', name: 'X', parentId: 'nowhere' })).body.error.code).to.equal('unprocessable');
      expect((await asAdmin('PATCH', '/api/groups/amt.it', { parentId: 'nowhere' })).status).to.equal(422);
      expect((await asAdmin('POST', '/api/groups', { id: 'amt', name: 'Again' })).status).to.equal(409);
    });

    it('DELETE refuses a unit with sub-units (409) and removes a leaf (204, then 404)', async () => {
      expect((await asAdmin('DELETE', '/api/groups/amt')).status).to.equal(409);
      expect((await asAdmin('DELETE', '/api/groups/amt.it')).status).to.equal(204);
      expect((await asAdmin('GET', '/api/groups/amt.it')).status).to.equal(404);
    });

    it('an employee may not create units or memberships (403)', async () => {
      const employee = await s.login('b.schmidt');
      expect((await s.call('POST', '/api/groups', employee, { id: 'mine', name: 'Mine' })).status).to.equal(403);
      expect((await s.call('PUT', '/api/groups/amt/members/b.schmidt', employee)).status).to.equal(403);
    });
  });

  describe('deputies', () => {
    const period = { startsAt: '2026-07-01T00:00:00Z', endsAt: '2026-07-15T00:00:00Z' };
    beforeEach(async () => {
      for (const id of ['b.schmidt', 'c.weber', 'd.koch']) await s.addUser(id, ['employee']);
    });

    it('an employee registers their own absence (201) but not someone else\'s (403)', async () => {
      const employee = await s.login('b.schmidt');
      const own = await s.call('POST', '/api/deputies', employee, { absentUserId: 'b.schmidt', deputyUserId: 'c.weber', ...period });
      expect(own.status).to.equal(201);
      expect(own.body).to.include({ absentUserId: 'b.schmidt', deputyUserId: 'c.weber', startsAt: '2026-07-01T00:00:00.000Z' });
      expect((await s.call('POST', '/api/deputies', employee, { absentUserId: 'c.weber', deputyUserId: 'b.schmidt', ...period })).status).to.equal(403);
    });

    it('an unknown deputy, a deputy for oneself or a period ending before it starts answers 422; a bad date 400', async () => {
      const post = (body: object) => asAdmin('POST', '/api/deputies', { absentUserId: 'b.schmidt', deputyUserId: 'c.weber', ...period, ...body });
      expect((await post({ deputyUserId: 'nobody' })).body.error.code).to.equal('unprocessable');
      expect((await post({ deputyUserId: 'b.schmidt' })).status).to.equal(422);
      expect((await post({ endsAt: '2026-06-01T00:00:00Z' })).status).to.equal(422);
      expect((await post({ startsAt: 'next week' })).status).to.equal(400);
    });

    it('GET /api/deputies shows admins all (or one user\'s) and others only the periods they are in', async () => {
      await asAdmin('POST', '/api/deputies', { absentUserId: 'b.schmidt', deputyUserId: 'c.weber', ...period });
      await asAdmin('POST', '/api/deputies', { absentUserId: 'd.koch', deputyUserId: 'admin', ...period });
      const pairs = (answer: Answer) => answer.body.items.map((row: { absentUserId: string }) => row.absentUserId);
      expect(pairs(await asAdmin('GET', '/api/deputies'))).to.have.members(['b.schmidt', 'd.koch']);
      expect(pairs(await asAdmin('GET', '/api/deputies?userId=c.weber'))).to.deep.equal(['b.schmidt']);
      expect(pairs(await s.call('GET', '/api/deputies', await s.login('c.weber')))).to.deep.equal(['b.schmidt']);
      expect(pairs(await s.call('GET', '/api/deputies?userId=admin', await s.login('b.schmidt')))).to.deep.equal([]);
    });

    it('DELETE is refused to the deputy (403), allowed to the absent user (204), then 404', async () => {
      const created = await asAdmin('POST', '/api/deputies', { absentUserId: 'b.schmidt', deputyUserId: 'c.weber', ...period });
      const path = `/api/deputies/${created.body.id}`;
      expect((await s.call('DELETE', path, await s.login('c.weber'))).status).to.equal(403);
      expect((await s.call('DELETE', path, await s.login('b.schmidt'))).status).to.equal(204);
      expect((await asAdmin('DELETE', path)).status).to.equal(404);
    });
  });
});
