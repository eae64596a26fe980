/**
 * The authorization matrix: every route × every role (and anonymous), each
 * request well-formed, so the status says only whether the caller may. The
 * expected statuses are written out here, not derived from access.ts, and
 * a route without a row fails the first test.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { databaseKind } from '../../support/database.js';
import { useTestServer, type Client } from '../../support/http.js';
import { apiRoutes } from '../../../server/http/routes/index.js';
import { matrixRows, who, type Who } from './authorizationMatrix.js';
import { fixturesOf } from './authorizationFixtures.js';

const fixturesXml = readFileSync(new URL('./access.bpmn', import.meta.url), 'utf8');

describe(`the authorization matrix (on ${databaseKind})`, function () {
  this.timeout(120_000);
  const server = useTestServer();
  const clients = new Map<Who, Client>();

  before(async () => {
    await server.reset([
      { id: 'employee', roles: ['employee'], groups: ['amt-1'] },
      { id: 'designer', roles: ['designer'], groups: ['amt-2'] },
      { id: 'supervisor', roles: ['supervisor'], groups: ['amt-1'] },
      { id: 'admin', roles: ['admin'], groups: ['amt-2'] },
      { id: 'integration', roles: ['integration'], groups: ['amt-2'] },
    ]);
    await server.services.engine.deploy(fixturesXml);
    clients.set('anonymous', server.anonymous());
    for (const role of who.slice(1)) clients.set(role, await server.as(role));
  });

  it('has a row for every route of the API', () => {
    const routes = apiRoutes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort();
    expect(Object.keys(matrixRows).filter((key) => key.includes('/api/') && key !== 'GET /api/openapi.json').sort()).to.deep.equal(routes);
  });

  for (const [route, expected] of Object.entries(matrixRows)) {
    it(`${route}: ${who.map((caller) => `${caller} ${expected.statuses[who.indexOf(caller)]}`).join(', ')}`, async () => {
      const fixtures = fixturesOf(server);
      const seen: Partial<Record<Who, number>> = {};
      for (const caller of who) {
        const request = await expected.request(fixtures, caller);
        const client = request.freshSession && caller !== 'anonymous' ? await server.as(caller) : clients.get(caller);
        if (!client) throw new Error(`no client for ${caller}`);
        const [method, template] = route.split(' ') as [string, string];
        const path = request.path ?? template;
        const answer = await client.send(method, path, request.body, request.contentType);
        seen[caller] = answer.status;
        if (answer.status >= 400) expect(answer.body, `${caller}: ${answer.text}`).to.have.nested.property('error.code');
      }
      const wanted = Object.fromEntries(who.map((caller, index) => [caller, expected.statuses[index]]));
      expect(seen).to.deep.equal(wanted);
    });
  }
});
