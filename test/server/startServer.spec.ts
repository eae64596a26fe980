/** The whole server as npm start runs it: configuration, migrations, demo data, HTTP, and a clean stop. */
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig, ConfigError } from '../../server/config.js';
import { startServer } from '../../server/startServer.js';
import { demoGroups, demoPassword, demoUsers } from '../../server/demo/organisation.js';
import { IdentityStore } from '../../server/identity/IdentityStore.js';
import { databaseChangedOutside } from '../../server/store/sharedState.js';
import knex from 'knex';
import { createTestDatabase, databaseKind, databaseUrl, useTestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { login } from '../support/http.js';

describe(`startServer (on ${databaseKind})`, () => {
  const db = useTestDatabase();

  it('serves the demo organisation a new user can log in to at once, and stops listening on stop()', async function () {
    this.timeout(60_000);
    const config = loadConfig({ PORT: '0', UMLAUF_DEMO: '1' });
    const server = await startServer(config, pino({ level: 'silent' }), { database: db.current.database, pollJobs: false });
    try {
      const clerk = await login(server.url, 'm.weber', demoPassword);
      const definitions = await clerk.get<{ items: { processId: string }[] }>('/api/process-definitions');
      expect(definitions.body.items.map((definition) => definition.processId).sort()).to.deep.equal(['acknowledgment', 'approval', 'instruction']);
      const deputy = await login(server.url, 's.fischer', demoPassword);
      expect((await deputy.get<{ deputyFor: string[] }>('/api/me')).body.deputyFor).to.deep.equal(['m.weber']);
      expect(await server.services.identity.listUsers({ limit: 100 })).to.have.length(demoUsers.length);
    } finally {
      await server.stop();
    }
    const refused = await fetch(`${server.url}/healthz`).then(() => 'answered', () => 'refused');
    expect(refused).to.equal('refused');
  });

  it(`warns at start ${databaseKind === 'PGlite' ? 'that' : 'only on PGlite that'} commits are not flushed to disk`, async function () {
    this.timeout(60_000);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
    const server = await startServer(loadConfig({ PORT: '0' }), log, { database: db.current.database, pollJobs: false });
    await server.stop();
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level === 40);
    expect(warnings.map((entry) => entry.msg)).to.deep.equal(databaseKind === 'PGlite'
      ? ['embedded PGlite does not flush commits to disk: a crash of the machine or a power loss can lose the last ones; set DATABASE_URL to run on PostgreSQL in production']
      : []);
  });

  it(`${databaseKind === 'PGlite' ? 'vacuums its embedded database unless told not to' : 'leaves vacuuming to PostgreSQL'}`, async function () {
    this.timeout(60_000);
    const silent = pino({ level: 'silent' });
    const server = await startServer(loadConfig({ PORT: '0' }), silent, { database: db.current.database, pollJobs: false });
    await server.stop();
    expect(server.vacuum !== undefined).to.equal(databaseKind === 'PGlite');
    const without = await startServer(loadConfig({ PORT: '0', UMLAUF_PGLITE_VACUUM_SECONDS: '0' }), silent, { database: db.current.database, pollJobs: false });
    await without.stop();
    expect(without.vacuum).to.equal(undefined);
  });

  it('writes knex\'s warnings to the server\'s log, such as a connection the database dropped', async function () {
    if (!databaseUrl) this.skip(); // needs a PostgreSQL server to cut a connection of
    this.timeout(60_000);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
    // A database of its own that only the server connects to (the test's pool never opens one), so only the server's connections are cut.
    const own = await createTestDatabase({ migrate: false });
    const url = own.options.url!;
    const server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: url }), log, { pollJobs: false });
    const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    try {
      expect((await fetch(`${server.url}/readyz`)).status, 'the pool now holds an idle connection').to.equal(200);
      await admin.raw('select pg_terminate_backend(pid) from pg_stat_activity where datname = ?', [new URL(url).pathname.slice(1)]);
      // knex notices a dropped connection when it next takes it from its pool.
      await eventually(async () => {
        await fetch(`${server.url}/readyz`);
        return lines.some((line) => line.includes('Connection Error'));
      });
      const entry = JSON.parse(lines.find((line) => line.includes('Connection Error'))!) as Record<string, unknown>;
      expect(entry).to.include({ level: 40, component: 'knex' });
    } finally {
      await admin.destroy();
      await server.stop();
      await own.close();
    }
  });

  it('seeds the demo organisation only once when started again', async function () {
    this.timeout(60_000);
    const config = loadConfig({ PORT: '0', UMLAUF_DEMO: '1' });
    const server = await startServer(config, pino({ level: 'silent' }), { database: db.current.database, pollJobs: false });
    await server.stop();
    expect(await db.current.database.knex('definitions').count({ count: '*' })).to.deep.equal([{ count: databaseKind === 'PGlite' ? 3 : '3' }]);
  });
});

describe(`the demo data (on ${databaseKind})`, () => {
  const db = useTestDatabase({ poolSize: 4 });
  const demo = loadConfig({ PORT: '0', UMLAUF_DEMO: '1' });
  const silent = pino({ level: 'silent' });
  const count = async (table: string) => Number((await db.current.database.knex(table).count({ count: '*' }))[0]!.count);

  beforeEach(async () => {
    await db.current.database.knex.raw('truncate users, groups, memberships, deputies, sessions, definitions, deployments cascade');
    databaseChangedOutside(db.current.database.knex);
  });

  it('lands whole or not at all: a seed cut off halfway leaves nothing, and the next start seeds it whole', async function () {
    this.timeout(60_000);
    const last = demoUsers[demoUsers.length - 1]!;
    // A user of the last demo user's name makes the seed fail after the groups and the other users.
    await new IdentityStore(db.current.database.knex).createUser({ id: last.id, displayName: 'in the way', password: 'x-password-123', roles: [] });
    const failure = await startServer(demo, silent, { database: db.current.database, pollJobs: false }).then(() => undefined, (error: unknown) => error);
    expect(failure).to.be.an('error');
    expect([await count('users'), await count('groups'), await count('definitions')]).to.deep.equal([1, 0, 0]);

    await db.current.database.knex('users').where({ id: last.id }).delete();
    const server = await startServer(demo, silent, { database: db.current.database, pollJobs: false });
    await server.stop();
    expect([await count('users'), await count('groups'), await count('definitions')]).to.deep.equal([demoUsers.length, demoGroups.length, 3]);
  });

  it('is seeded once when several servers start with it at the same time', async function () {
    this.timeout(60_000);
    const starts = await Promise.allSettled([1, 2, 3].map(() => startServer(demo, silent, { database: db.current.database, pollJobs: false })));
    await Promise.all(starts.map((start) => (start.status === 'fulfilled' ? start.value.stop() : undefined)));
    expect(starts.map((start) => (start.status === 'fulfilled' ? 'started' : String(start.reason)))).to.deep.equal(['started', 'started', 'started']);
    expect([await count('users'), await count('groups'), await count('definitions')]).to.deep.equal([demoUsers.length, demoGroups.length, 3]);
  });
});

describe('loadConfig for the HTTP server', () => {
  it('lists every wrong setting at once', () => {
    const problems = (() => {
      try {
        loadConfig({ PORT: '99999', UMLAUF_BASE_URL: 'ftp://x', SMTP_URL: 'mail.example', UMLAUF_DEMO: 'yes', UMLAUF_SESSION_MINUTES: '0', UMLAUF_METRICS_TOKEN: 'short',
          UMLAUF_LOGIN_ATTEMPTS_PER_ADDRESS: '0', UMLAUF_PGLITE_VACUUM_SECONDS: '-1' });
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.problems : [String(error)];
      }
    })();
    expect(problems.join('\n')).to.include('PORT').and.include('UMLAUF_BASE_URL').and.include('SMTP_URL').and.include('UMLAUF_DEMO').and.include('UMLAUF_SESSION_MINUTES')
      .and.include('UMLAUF_METRICS_TOKEN').and.include('UMLAUF_LOGIN_ATTEMPTS_PER_ADDRESS').and.include('UMLAUF_PGLITE_VACUUM_SECONDS');
  });

  it('defaults to port 3000, a local base URL and no SMTP server', () => {
    const config = loadConfig({});
    expect(config.http).to.include({ port: 3000, baseUrl: 'http://localhost:3000' });
    expect(config.mail.smtpUrl).to.equal(undefined);
    expect(config.demo).to.equal(false);
    expect(config.http.metricsToken).to.equal(undefined);
    expect(config.http).to.include({ loginAttempts: 10, loginAttemptsPerAddress: 100 });
    expect(config.embeddedVacuumMilliseconds).to.equal(60_000);
    expect(loadConfig({ UMLAUF_METRICS_TOKEN: 'prometheus-scrape-2026' }).http.metricsToken).to.equal('prometheus-scrape-2026');
  });
});
