/** The OpenAPI document: served, complete, and made of schemas that compile, since ajv validates requests with the same ones. */
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { databaseKind } from '../../support/database.js';
import { useTestServer } from '../../support/http.js';
import { apiRoutes } from '../../../server/http/routes/index.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface Operation { operationId: string; responses: Record<string, unknown>; security?: unknown[]; parameters: { name: string; in: string; schema: object }[]; requestBody?: { content: Record<string, { schema: object }> } }
interface Document { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } }

describe(`the OpenAPI document (on ${databaseKind})`, () => {
  const server = useTestServer();
  let document: Document;

  before(async () => {
    const answer = await server.anonymous().get<Document>('/api/openapi.json');
    expect(answer.status).to.equal(200);
    document = answer.body;
  });

  it('is OpenAPI 3.1 and describes every route with a unique operationId', () => {
    expect(document.openapi).to.equal('3.1.0');
    const described = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(described.sort()).to.deep.equal(apiRoutes.map((route) => `${route.method} ${route.path}`).sort());
    const ids = Object.values(document.paths).flatMap((operations) => Object.values(operations).map((operation) => operation.operationId));
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('has schemas that compile under JSON Schema 2020-12, and names every path parameter', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'components', ...document.components.schemas }, 'components');
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method} ${path}`;
        for (const parameter of operation.parameters) expect(() => ajv.compile(parameter.schema), `${where} ${parameter.name}`).not.to.throw();
        for (const content of Object.values(operation.requestBody?.content ?? {})) expect(() => ajv.compile(content.schema), where).not.to.throw();
        const named = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name).sort();
        expect(named, where).to.deep.equal([...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort());
        expect(Object.keys(operation.responses), where).to.include('400');
      }
    }
  });

  it('marks only login as callable without credentials', () => {
    const open = Object.values(document.paths).flatMap((operations) => Object.values(operations)).filter((operation) => operation.security?.length === 0);
    expect(open.map((operation) => operation.operationId)).to.deep.equal(['login']);
  });
});
