/**
 * An Umlauf server listening on a free port over the test database (PGlite, or
 * a fresh PostgreSQL database with DATABASE_URL), and a small client that
 * logs in like a browser: session cookie plus the CSRF header.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Engine } from '../../engine/index.js';
import type { HttpSettings } from '../../server/config.js';
import { KnexStore } from '../../server/store/KnexStore.js';
import { createApp } from '../../server/http/createApp.js';
import type { Services } from '../../server/http/services.js';
import { servicesFor } from '../../server/startServer.js';
import type { Role } from '../../server/identity/IdentityStore.js';
import { useTestDatabase } from './database.js';

export const testHttpSettings: HttpSettings = {
  port: 0, baseUrl: 'http://localhost', trustProxy: 0, sessionMilliseconds: 3_600_000,
  jsonLimitBytes: 64 * 1024, xmlLimitBytes: 256 * 1024, loginAttempts: 1_000, loginAttemptsPerAddress: 1_000, loginWindowMilliseconds: 60_000,
};

export interface TestServer {
  url: string;
  services: Services;
  /** The server's clock reads this; tests move it. */
  now: Date;
  /** Empties every table and creates these users (password `${id}-password`). */
  reset(users?: TestUser[]): Promise<void>;
  as(userId: string): Promise<Client>;
  anonymous(): Client;
}

export interface TestUser {
  id: string;
  roles: Role[];
  groups?: string[];
}

const identityTables = ['login_attempts', 'comments', 'instance_starts', 'api_tokens', 'sessions', 'deputies', 'memberships', 'groups', 'users'];
const engineTables = ['history', 'multi_instance_outputs', 'incidents', 'subscriptions', 'jobs', 'user_tasks', 'variables', 'element_instances', 'instances', 'definitions', 'deployments'];

/** Registers before/after hooks in the calling describe block. */
export function useTestServer(settings: Partial<HttpSettings> = {}): TestServer {
  const db = useTestDatabase();
  let http: Server | undefined;
  const server = {
    url: '', services: undefined as unknown as Services, now: new Date('2026-03-02T09:00:00Z'),
    async reset(users: TestUser[] = []) {
      // audit_log is append-only (a trigger refuses UPDATE and DELETE); TRUNCATE still empties it between tests.
      await db.current.database.knex.raw(`truncate ${[...identityTables, ...engineTables, 'audit_log'].join(', ')} restart identity cascade`);
      await createUsers(server.services, users);
    },
    as: (userId: string) => login(server.url, userId),
    anonymous: () => new Client(server.url),
  };
  before(async function () {
    this.timeout(60_000);
    const database = db.current.database;
    const engine = new Engine({ store: new KnexStore(database.knex), clock: () => server.now });
    server.services = servicesFor(database, engine, { ...testHttpSettings, ...settings }, pino({ level: 'silent' }), () => server.now);
    http = createServer(createApp(server.services));
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(async () => {
    http?.closeAllConnections();
    await new Promise((resolve) => http?.close(resolve));
  });
  return server;
}

async function createUsers(services: Services, users: TestUser[]): Promise<void> {
  const groups = new Set(users.flatMap((user) => user.groups ?? []));
  for (const group of groups) {
    if (!(await services.identity.getGroup(group))) await services.identity.createGroup({ id: group, name: group });
  }
  for (const user of users) {
    await services.identity.createUser({ id: user.id, displayName: user.id, password: `${user.id}-password`, roles: user.roles });
    for (const group of user.groups ?? []) await services.identity.addMember(group, user.id);
  }
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export class Client {
  constructor(readonly url: string, readonly cookie?: string, readonly csrfToken?: string, private readonly bearer?: string) {}

  withToken(token: string): Client {
    return new Client(this.url, undefined, undefined, token);
  }

  /** The same session without the CSRF header, as a forged cross-site request would arrive. */
  withoutCsrf(): Client {
    return new Client(this.url, this.cookie, undefined, this.bearer);
  }

  get<T = unknown>(path: string): Promise<Answer<T>> {
    return this.send<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<Answer<T>> {
    return this.send<T>('POST', path, body);
  }

  async send<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers['cookie'] = this.cookie;
    if (this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (this.bearer) headers['authorization'] = `Bearer ${this.bearer}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers, text };
  }
}

export async function login(url: string, userId: string, password = `${userId}-password`): Promise<Client> {
  const response = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password }) });
  if (response.status !== 200) throw new Error(`login of ${userId} failed with ${response.status}: ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((header) => header.split(';')[0]).join('; ');
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return new Client(url, cookie, csrfToken);
}
