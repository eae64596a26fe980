/** The API's safety rails: headers, CSRF, login rate limit, body limits, one error shape and no leaked internals. */
import { expect } from 'chai';
import { databaseKind } from '../../support/database.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../server/http/createApp.js';
import { Client, login, useTestServer } from '../../support/http.js';
import { eventually } from '../../support/eventually.js';

describe(`the API's safety rails (on ${databaseKind})`, () => {
  const server = useTestServer({ jsonLimitBytes: 2_048, xmlLimitBytes: 4_096 });

  beforeEach(async () => {
    await server.reset([{ id: 'designer', roles: ['designer'] }, { id: 'clerk', roles: ['employee'] }, { id: 'root', roles: ['admin'] }]);
  });

  it('sends a Content-Security-Policy and the other helmet headers, and no X-Powered-By', async () => {
    const answer = await server.anonymous().get('/healthz');
    expect(answer.headers.get('content-security-policy')).to.include("default-src 'self'").and.include("frame-ancestors 'none'");
    expect(answer.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(answer.headers.get('x-powered-by')).to.equal(null);
  });

  it('sets the session cookie HttpOnly and SameSite, and not readable by scripts', async () => {
    const response = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'clerk', password: 'clerk-password' }) });
    const cookie = response.headers.getSetCookie()[0] ?? '';
    expect(cookie).to.match(/^umlauf_session=/).and.match(/HttpOnly/i).and.match(/SameSite=Lax/i);
  });

  it('refuses a state-changing cookie request without the CSRF token with 403 csrf_failed, and accepts it with the token', async () => {
    const clerk = await server.as('clerk');
    const forged = await clerk.withoutCsrf().post('/api/deputies', { absentUserId: 'clerk', deputyUserId: 'designer', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-02T00:00:00Z' });
    expect(forged.status).to.equal(403);
    expect(forged.body).to.have.nested.property('error.code', 'csrf_failed');
    const genuine = await clerk.post('/api/deputies', { absentUserId: 'clerk', deputyUserId: 'designer', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-02T00:00:00Z' });
    expect(genuine.status, genuine.text).to.equal(201);
  });

  it('needs no CSRF token with an API token, since no browser attaches one by itself', async () => {
    const { token } = await server.services.identity.createApiToken('clerk', 'script', server.now);
    const answer = await server.anonymous().withToken(token).post('/api/deputies', { absentUserId: 'clerk', deputyUserId: 'designer', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-02T00:00:00Z' });
    expect(answer.status, answer.text).to.equal(201);
    expect((await server.anonymous().withToken(`${token}x`).get('/api/me')).status).to.equal(401);
  });

  it('answers 413 in the error shape to a JSON body over the limit and to a BPMN upload over the XML limit', async () => {
    const clerk = await server.as('clerk');
    const big = await clerk.post('/api/deputies', { absentUserId: 'clerk', padding: 'x'.repeat(3_000) });
    expect(big.status).to.equal(413);
    expect(big.body).to.have.nested.property('error.code', 'payload_too_large');
    const designer = await server.as('designer');
    const xml = await designer.send('POST', '/api/deployments', `<definitions>${' '.repeat(5_000)}</definitions>`, 'application/xml');
    expect(xml.status).to.equal(413);
    const refused = await server.services.knex('audit_log').where({ action: 'refused request' }).select('status', 'details');
    expect(refused.map((row: { status: number }) => row.status), 'refused requests are audited too').to.deep.equal([413, 413]);
  });

  it('answers 400 with every problem for a body that breaks the schema', async () => {
    const clerk = await server.as('clerk');
    const answer = await clerk.post<{ error: { code: string; details: { problems: { at: string }[] } } }>('/api/deputies', { absentUserId: 7, startsAt: 'yesterday', extra: true });
    expect(answer.status).to.equal(400);
    expect(answer.body.error.code).to.equal('validation_failed');
    const places = answer.body.error.details.problems.map((problem) => problem.at);
    expect(places).to.include.members(['body/absentUserId', 'body/startsAt']);
  });

  it('answers 400 naming the place, not 500 nor a silent loss, to what the database cannot store (U+0000, unpaired surrogates, year 0, numbers beyond a double or with more digits than it keeps, __proto__, nesting beyond 64 levels); the refusal is audited', async () => {
    type Refusal = { error: { code: string; details: { problems: { at: string; message: string }[] } } };
    const clerk = await server.as('clerk');
    const start = (body: unknown) => clerk.post<Refusal>('/api/process-definitions/unknown/instances', body);
    const nul = await start({ variables: { note: 'a\u0000b', ['key\u0000']: 1, list: ['fine', 'x\u0000'] }, businessKey: 'B\u0000' });
    expect(nul.status, nul.text).to.equal(400);
    expect(nul.body.error.details.problems.map((problem) => problem.at)).to.have.members([
      'body/variables/note', 'body/variables/key\u0000', 'body/variables/list/1', 'body/businessKey',
    ]);
    expect(nul.body.error.details.problems[0]?.message).to.include('U+0000');
    const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : [nested(levels - 1)]);
    // The body is level 0, its variables 1, so a value of 62 nested lists reaches level 64 with its leaf only.
    expect((await start({ variables: { deep: nested(62) } })).status, 'as deep as allowed').to.equal(404);
    const deep = await start({ variables: { deep: nested(63) } });
    expect(deep.status).to.equal(400);
    expect(deep.body.error.details.problems).to.have.length(1);
    expect(deep.body.error.details.problems[0]?.message).to.include('64 levels');
    const farDeeper = `{"variables":{"deep":${'['.repeat(900)}${']'.repeat(900)}}}`;
    expect((await clerk.send('POST', '/api/process-definitions/unknown/instances', farDeeper)).status, 'far deeper, within the body limit').to.equal(400);

    // Sent as written: JSON.stringify would not let these through.
    const raw = await clerk.send<Refusal>('POST', '/api/process-definitions/unknown/instances',
      '{"variables":{"half":"a\\ud800b","pair":"\\ud83d\\ude00","n\\udc00":1,"huge":1e400,"__proto__":{"x":1},"big":1e300}}');
    expect(raw.status, raw.text).to.equal(400);
    expect(raw.body.error.details.problems.map((problem) => `${problem.at}: ${problem.message}`)).to.have.members([
      'body/variables/half: must not contain an unpaired UTF-16 surrogate (\\uD800–\\uDFFF)',
      'body/variables/n\udc00: the name must not contain an unpaired UTF-16 surrogate (\\uD800–\\uDFFF)',
      'body/variables/huge: must be a number within the range of a double',
      'body/variables/__proto__: the name __proto__ is reserved',
    ]);
    // Numbers JSON.parse would change without a word are refused, not rounded; as text they pass.
    const inexact = await clerk.send<Refusal>('POST', '/api/process-definitions/unknown/instances',
      '{"variables":{"fileNumber":9007199254740993,"asText":"9007199254740993","amount":0.12345678901234567891,"largest":9007199254740991,"float":0.30000000000000004}}');
    expect(inexact.status, inexact.text).to.equal(400);
    expect(inexact.body.error.details.problems.map((problem) => `${problem.at}: ${problem.message}`)).to.deep.equal([
      'body: the number 9007199254740993 at position 27 cannot be kept exactly (more digits than a number holds); send it as text',
      'body: the number 0.12345678901234567891 at position 81 cannot be kept exactly (more digits than a number holds); send it as text',
    ]);
    const exact = await clerk.send('POST', '/api/process-definitions/unknown/instances',
      '{"variables":{"asText":"9007199254740993","largest":9007199254740991,"float":0.30000000000000004,"e":1.2345678901234567e300}}');
    expect(exact.status, 'past validation to the unknown process').to.equal(404);
    const yearZero = await clerk.get<Refusal>('/api/tasks?dueBefore=0000-12-31T00:00:00Z');
    expect(yearZero.status, yearZero.text).to.equal(400);
    expect(yearZero.body.error.details.problems.map((problem) => problem.at)).to.deep.equal(['query/dueBefore']);
    expect((await clerk.get('/api/tasks?dueBefore=0001-01-01T00:00:00Z')).status).to.equal(200);

    // Numbers in the query, after ajv has read them: none beyond what the database's integer columns hold.
    for (const version of ['Infinity', '3000000000', '1e300']) {
      const answer = await clerk.get<Refusal>(`/api/process-definitions/unknown/xml?version=${version}`);
      expect(answer.status, `version=${version}: ${answer.text}`).to.equal(400);
      expect(answer.body.error.details.problems.map((problem) => problem.at), version).to.include('query/version');
    }
    expect((await clerk.get('/api/process-definitions/unknown/xml?version=2147483647')).status).to.equal(404);
    const root = await server.as('root');
    expect((await root.get('/api/users?offset=1e300')).status, 'not read as offset 1').to.equal(400);

    expect((await clerk.get('/api/tasks?processId=%00')).status).to.equal(400);
    const path = await clerk.send<Refusal>('DELETE', '/api/deputies/%00');
    expect(path.status).to.equal(400);
    expect(path.body.error.details.problems.map((problem) => problem.at)).to.deep.equal(['path/id']);
    const login = await server.anonymous().post('/api/login', { userId: 'clerk\u0000', password: 'clerk-password' });
    expect(login.status).to.equal(400);
    const audited = await server.services.knex('audit_log').where({ status: 400 }).orderBy('id').select('action', 'object_id');
    expect(audited.map((row: { action: string; object_id: string | null }) => [row.action, row.object_id])).to.deep.equal([
      ['start', 'unknown'], ['start', 'unknown'], ['start', 'unknown'], ['start', 'unknown'],
      // Refused before a route reads it, as a body that is not JSON would be.
      ['refused request', null],
      ['delete', '\uFFFD'], ['login', null],
    ]);
  });

  it('writes the audit entry when the database missed it for a moment; one it cannot write is logged whole, and the answer says the change was made', async () => {
    const clerk = await server.as('clerk');
    const { audit, log } = server.services;
    const record = audit.record.bind(audit);
    const logError = log.error.bind(log);
    const logged: unknown[] = [];
    let cuts = 0;
    // As pg reports a connection the database dropped: no SQLSTATE, the database never saw the statement.
    audit.record = async (entry) => {
      if (cuts > 0) {
        cuts -= 1;
        throw new Error('Connection terminated unexpectedly');
      }
      return record(entry);
    };
    log.error = ((details: unknown) => { logged.push(details); }) as typeof log.error;
    const deputy = (day: string) => ({ absentUserId: 'clerk', deputyUserId: 'designer', startsAt: `2026-05-${day}T00:00:00Z`, endsAt: `2026-05-${day}T12:00:00Z` });
    try {
      cuts = 2;
      const brief = await clerk.post<{ id: string }>('/api/deputies', deputy('01'));
      expect(brief.status, brief.text).to.equal(201);
      expect(logged, 'nothing went wrong that needs an operator').to.deep.equal([]);

      cuts = 3;
      const lasting = await clerk.post<{ error: { code: string; message: string } }>('/api/deputies', deputy('02'));
      expect(lasting.status).to.equal(500);
      expect(lasting.body.error.message).to.include('the change was made');
      // (The request log reports the 500 as well.)
      const lost = logged.filter((details) => typeof details === 'object' && details !== null && 'auditEntry' in details);
      expect(lost).to.have.length(1);
      expect(lost[0]).to.have.nested.property('auditEntry.action', 'create');
      expect(lost[0]).to.have.nested.property('auditEntry.status', 201);

      // A data error is the database's answer: sending it again would get the same, so it is not retried.
      cuts = 0;
      let calls = 0;
      audit.record = async () => {
        calls += 1;
        throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
      };
      expect((await clerk.post('/api/deputies', deputy('03'))).status).to.equal(500);
      expect(calls).to.equal(1);
    } finally {
      audit.record = record;
      log.error = logError;
    }
    const deputies = await server.services.knex('deputies').where({ absent_user_id: 'clerk' }).count({ count: '*' }).first() as { count: string | number };
    expect(Number(deputies.count), 'all three changes were made').to.equal(3);
    const audited = await server.services.knex('audit_log').where({ action: 'create', object_type: 'deputy' }).count({ count: '*' }).first() as { count: string | number };
    expect(Number(audited.count), 'only the first entry reached the audit log').to.equal(1);
  });

  it('answers 422 listing the problems for a model that cannot run, and 415 for a body of the wrong type', async () => {
    const designer = await server.as('designer');
    const broken = await designer.send('POST', '/api/deployments', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><bpmn:process id="p" isExecutable="true"><bpmn:userTask id="lonely"/></bpmn:process></bpmn:definitions>', 'application/xml');
    expect(broken.status, broken.text).to.equal(422);
    expect(broken.body).to.have.nested.property('error.details.problems').that.is.an('array').with.length.above(0);
    const wrongType = await designer.send('POST', '/api/deployments', 'hello', 'text/plain');
    expect(wrongType.status).to.equal(415);
  });

  it('never shows a stack trace or SQL: malformed JSON and unknown routes get the error shape', async () => {
    const clerk = await server.as('clerk');
    const malformed = await clerk.send('POST', '/api/deputies', '{"absentUserId": ', 'application/json');
    expect(malformed.status).to.equal(400);
    expect(malformed.text).not.to.match(/at \w+ \(|node_modules|select |insert /i);
    const unknown = await clerk.get('/api/nothing-here');
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.have.nested.property('error.code', 'not_found');
  });

  it('reports readiness from the database and serves Prometheus metrics with HTTP latency and open user tasks', async () => {
    expect((await server.anonymous().get('/readyz')).status).to.equal(200);
    const metrics = await server.anonymous().get<string>('/metrics');
    expect(metrics.text).to.include('umlauf_http_request_duration_seconds_bucket').and.include('umlauf_user_tasks_open 0').and.include('umlauf_incidents_open 0').and.include('umlauf_jobs_run_total');
  });

  it("counts the store's commit calls, the steps they carried and the time they were in flight", async () => {
    const totals = async (): Promise<{ calls: number; steps: number; busy: number }> => {
      const text = (await server.anonymous().get<string>('/metrics')).text;
      const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return { calls: value('umlauf_commit_calls_total'), steps: value('umlauf_committed_steps_total'), busy: value('umlauf_commit_busy_seconds_total') };
    };
    const { engine } = server.services;
    await engine.deploy(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-counted" targetNamespace="t">
  <bpmn:process id="counted" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>
</bpmn:definitions>`);
    const before = await totals();
    await Promise.all([engine.startProcess('counted'), engine.startProcess('counted')]);
    const after = await totals();
    expect(after.steps - before.steps).to.equal(2);
    expect(after.calls - before.calls).to.be.within(1, 2);
    expect(after.busy).to.be.above(before.busy);
  });
});

describe(`metrics behind a token (on ${databaseKind})`, () => {
  const token = 'prometheus-scrape-2026';
  const server = useTestServer({ metricsToken: token });

  it('answers a scrape only with the configured bearer token, and says how to authenticate', async () => {
    const without = await server.anonymous().get('/metrics');
    expect(without.status).to.equal(401);
    expect(without.headers.get('www-authenticate')).to.equal('Bearer realm="metrics"');
    expect(without.body).to.have.nested.property('error.code', 'unauthenticated');
    expect((await new Client(server.url, undefined, undefined, 'prometheus-scrape-2025').get('/metrics')).status).to.equal(401);
    const scraped = await new Client(server.url, undefined, undefined, token).get('/metrics');
    expect(scraped.status).to.equal(200);
    expect(scraped.text).to.include('umlauf_user_tasks_open 0');
  });
});

describe(`the login rate limit (on ${databaseKind})`, () => {
  const server = useTestServer({ loginAttempts: 3, loginWindowMilliseconds: 60_000 });
  let second: Server | undefined;

  beforeEach(async () => {
    await server.reset([{ id: 'clerk', roles: ['employee'] }, { id: 'typist', roles: ['employee'] }]);
  });

  afterEach(async () => {
    second?.closeAllConnections();
    await new Promise((resolve) => second?.close(resolve) ?? resolve(undefined));
    second = undefined;
  });

  const attempt = (url: string, password: string) => new Client(url).post('/api/login', { userId: 'clerk', password }).then((answer) => answer.status);

  it('answers 429 after too many failed logins of a user id from one address, even with the right password', async () => {
    const statuses: number[] = [];
    for (const password of ['wrong-1', 'wrong-2', 'wrong-3', 'clerk-password']) statuses.push(await attempt(server.url, password));
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
  });

  it('counts guesses at a user id in another case or with spaces for that user id', async () => {
    const guess = (userId: string) => new Client(server.url).post('/api/login', { userId, password: 'wrong' }).then((answer) => answer.status);
    expect([await guess('Clerk'), await guess(' CLERK '), await guess('clerk'), await attempt(server.url, 'clerk-password')])
      .to.deep.equal([401, 401, 401, 429]);
  });

  it('lets a colleague at the same address log in while one user waits', async () => {
    for (const password of ['wrong-1', 'wrong-2', 'wrong-3']) await attempt(server.url, password);
    expect(await attempt(server.url, 'clerk-password')).to.equal(429);
    const colleague = await new Client(server.url).post('/api/login', { userId: 'typist', password: 'typist-password' });
    expect(colleague.status).to.equal(200);
  });

  it('counts the failed logins of a user id at an address on every server of the database together', async () => {
    // Another server on the same database: its own app, its own limiter.
    second = createServer(createApp(server.services));
    await new Promise<void>((resolve) => second?.listen(0, '127.0.0.1', resolve));
    const secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
    const statuses = [
      await attempt(server.url, 'wrong-1'), await attempt(secondUrl, 'wrong-2'), await attempt(secondUrl, 'wrong-3'),
      await attempt(server.url, 'clerk-password'), await attempt(secondUrl, 'clerk-password'),
    ];
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
  });

  it('lets a user an admin unlocked log in at once, at every address; other users\' counts and the address limit stay', async () => {
    await server.reset([{ id: 'clerk', roles: ['employee'] }, { id: 'typist', roles: ['employee'] }, { id: 'root', roles: ['admin'] }]);
    for (const password of ['wrong-1', 'wrong-2', 'wrong-3']) await attempt(server.url, password);
    const typistGuess = await new Client(server.url).post('/api/login', { userId: 'typist', password: 'wrong' });
    expect(typistGuess.status).to.equal(401);
    // The same user id guessed at from another address, as the limiter keys it.
    const knex = server.services.knex;
    await knex('login_attempts').insert({ key: 'login-user:10.9.8.7 clerk', hits: 3, resets_at: new Date(Date.now() + 60_000) });
    expect(await attempt(server.url, 'clerk-password')).to.equal(429);

    const admin = await login(server.url, 'root');
    const unlocked = await admin.send('DELETE', '/api/users/clerk/failed-logins');
    expect(unlocked.status).to.equal(204);
    const keys = (await knex('login_attempts').orderBy('key').pluck('key')) as string[];
    expect(keys.filter((key) => key.endsWith(' clerk'))).to.deep.equal([]);
    expect(keys).to.include.members(['login-user:127.0.0.1 typist', 'login:127.0.0.1']);
    expect(await attempt(server.url, 'clerk-password')).to.equal(200);

    expect((await admin.send('DELETE', '/api/users/nobody/failed-logins')).status).to.equal(404);
    const audit = await knex('audit_log').where({ action: 'unlock', object_id: 'clerk' }).first() as { actor_id: string; details: unknown } | undefined;
    expect(audit).to.include({ actor_id: 'root' });
    expect(typeof audit?.details === 'string' ? JSON.parse(audit.details) : audit?.details).to.include({ addresses: 2 });
  });

  it('does not count a login that succeeded', async () => {
    const hits = async () => (await server.services.knex('login_attempts').select('hits')).map((row: { hits: number }) => row.hits);
    expect([await attempt(server.url, 'wrong-1'), await attempt(server.url, 'clerk-password')]).to.deep.equal([401, 200]);
    // The limiter takes a success back after the answer has gone out.
    await eventually(async () => (await hits())[0] === 1);
    expect([await attempt(server.url, 'wrong-2'), await attempt(server.url, 'wrong-3'), await attempt(server.url, 'clerk-password')])
      .to.deep.equal([401, 401, 429]);
  });
});

describe(`the login rate limit per address (on ${databaseKind})`, () => {
  const server = useTestServer({ loginAttempts: 3, loginAttemptsPerAddress: 5, loginWindowMilliseconds: 60_000 });

  beforeEach(async () => {
    await server.reset([{ id: 'clerk', roles: ['employee'] }]);
  });

  const login = (userId: string, password: string) => new Client(server.url).post('/api/login', { userId, password }).then((answer) => answer.status);

  it('answers 429 to everyone at an address after too many failed logins across user ids there', async () => {
    const guesses: number[] = [];
    for (const userId of ['a.meier', 'b.schulz', 'c.wagner', 'd.becker', 'e.hoffmann']) guesses.push(await login(userId, 'Sommer2026!'));
    expect(guesses).to.deep.equal([401, 401, 401, 401, 401]);
    expect(await login('clerk', 'clerk-password')).to.equal(429);
  });

  it('does not count at the address what the per-user limit already refused', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) statuses.push(await login('clerk', `wrong-${attempt}`));
    expect(statuses).to.deep.equal([401, 401, 401, 429, 429, 429]);
    // 3 failures counted at the address (of 5 allowed): two more user ids may still try.
    expect([await login('x.neumann', 'wrong'), await login('y.krause', 'wrong'), await login('z.vogel', 'wrong')]).to.deep.equal([401, 401, 429]);
  });
});
