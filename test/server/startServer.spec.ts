/** The whole server as npm start runs it: configuration, migrations, demo data, HTTP, and a clean stop. */
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig, ConfigError } from '../../server/config.js';
import { startServer } from '../../server/startServer.js';
import { demoPassword, demoUsers } from '../../server/demo/organisation.js';
import { databaseKind, useTestDatabase } from '../support/database.js';
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

  it('seeds the demo organisation only once when started again', async function () {
    this.timeout(60_000);
    const config = loadConfig({ PORT: '0', UMLAUF_DEMO: '1' });
    const server = await startServer(config, pino({ level: 'silent' }), { database: db.current.database, pollJobs: false });
    await server.stop();
    expect(await db.current.database.knex('definitions').count({ count: '*' })).to.deep.equal([{ count: databaseKind === 'PGlite' ? 3 : '3' }]);
  });
});

describe('loadConfig for the HTTP server', () => {
  it('lists every wrong setting at once', () => {
    const problems = (() => {
      try {
        loadConfig({ PORT: '99999', UMLAUF_BASE_URL: 'ftp://x', SMTP_URL: 'mail.example', UMLAUF_DEMO: 'yes', UMLAUF_SESSION_MINUTES: '0' });
        return [];
      } catch (error) {
        return error instanceof ConfigError ? error.problems : [String(error)];
      }
    })();
    expect(problems.join('\n')).to.include('PORT').and.include('UMLAUF_BASE_URL').and.include('SMTP_URL').and.include('UMLAUF_DEMO').and.include('UMLAUF_SESSION_MINUTES');
  });

  it('defaults to port 3000, a local base URL and no SMTP server', () => {
    const config = loadConfig({});
    expect(config.http).to.include({ port: 3000, baseUrl: 'http://localhost:3000' });
    expect(config.mail.smtpUrl).to.equal(undefined);
    expect(config.demo).to.equal(false);
  });
});
