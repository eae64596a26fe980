import { expect } from 'chai';
import { IdentityNotFoundError, IdentityStore } from '../../../server/identity/IdentityStore.js';
import { databaseKind } from '../../support/database.js';
import { thrownBy, useIdentityDatabase } from './support.js';

describe(`IdentityStore sessions and API tokens on ${databaseKind}`, () => {
  const db = useIdentityDatabase();
  const store = () => new IdentityStore(db.knex);
  const now = new Date('2026-03-02T08:00:00Z');
  const hour = 3_600_000;
  const later = (ms: number) => new Date(now.getTime() + ms);

  beforeEach(async () => {
    await store().createUser({ id: 'a.mueller', displayName: 'Anna Müller', roles: ['employee'] });
    await store().createUser({ id: 'fachverfahren', displayName: 'Fachverfahren', roles: ['integration'] });
  });

  describe('sessions', () => {
    it('findSession gives the user and CSRF token until the expiry, undefined from then on', async () => {
      const session = await store().createSession('a.mueller', hour, now);
      expect(session.expiresAt).to.deep.equal(later(hour));
      expect(await store().findSession(session.token, later(hour - 1))).to.deep.equal({ userId: 'a.mueller', csrfToken: session.csrfToken, expiresAt: later(hour) });
      expect(await store().findSession(session.token, later(hour))).to.equal(undefined);
    });

    it('the sessions table holds a hash of the token, never the token', async () => {
      const session = await store().createSession('a.mueller', hour, now);
      const rows = await db.knex('sessions').select('*') as Record<string, unknown>[];
      expect(rows).to.have.length(1);
      expect(JSON.stringify(rows)).not.to.contain(session.token);
    });

    it('findSession of an unknown token gives undefined', async () => {
      await store().createSession('a.mueller', hour, now);
      expect(await store().findSession('made-up', now)).to.equal(undefined);
    });

    it('findSession gives undefined once the user is deactivated', async () => {
      const session = await store().createSession('a.mueller', hour, now);
      await store().updateUser('a.mueller', { active: false });
      expect(await store().findSession(session.token, now)).to.equal(undefined);
    });

    it('deleteSession ends the session (logout); a second delete answers false', async () => {
      const session = await store().createSession('a.mueller', hour, now);
      expect(await store().deleteSession(session.token)).to.equal(true);
      expect(await store().findSession(session.token, now)).to.equal(undefined);
      expect(await store().deleteSession(session.token)).to.equal(false);
    });

    it('touchSession with a ttl slides the expiry; deleteExpiredSessions removes only expired ones', async () => {
      const kept = await store().createSession('a.mueller', hour, now);
      const dropped = await store().createSession('a.mueller', hour, now);
      expect(await store().touchSession(kept.token, later(hour / 2), hour)).to.equal(true);
      expect(await store().deleteExpiredSessions(later(hour))).to.equal(1);
      expect(await store().findSession(kept.token, later(hour))).to.have.property('userId', 'a.mueller');
      expect(await store().findSession(dropped.token, now)).to.equal(undefined);
    });

    it('createSession for an unknown user throws IdentityNotFoundError', async () => {
      expect(await thrownBy(() => store().createSession('nobody', hour, now))).to.be.instanceOf(IdentityNotFoundError);
    });
  });

  describe('API tokens', () => {
    it('findApiToken of a fresh token gives its id and user and records the use', async () => {
      const created = await store().createApiToken('fachverfahren', 'Meldewesen', now);
      expect(created.token).to.match(new RegExp(`^umt_${created.id}_[A-Za-z0-9_-]{43}$`));
      expect(await store().findApiToken(created.token, later(1000))).to.deep.equal({ id: created.id, userId: 'fachverfahren' });
      expect((await store().getApiToken(created.id))?.lastUsedAt).to.deep.equal(later(1000));
    });

    it('findApiToken gives undefined for a wrong secret, a malformed token and a revoked token', async () => {
      const created = await store().createApiToken('fachverfahren', 'Meldewesen', now);
      expect(await store().findApiToken(`umt_${created.id}_wrong-secret`)).to.equal(undefined);
      expect(await store().findApiToken('Bearer nonsense')).to.equal(undefined);
      await store().revokeApiToken(created.id, now);
      expect(await store().findApiToken(created.token)).to.equal(undefined);
    });

    it('findApiToken gives undefined once the user is deactivated', async () => {
      const created = await store().createApiToken('fachverfahren', 'Meldewesen', now);
      await store().updateUser('fachverfahren', { active: false });
      expect(await store().findApiToken(created.token)).to.equal(undefined);
    });

    it('the api_tokens table and listApiTokens hold no secret, only its hash', async () => {
      const created = await store().createApiToken('fachverfahren', 'Meldewesen', now);
      const secret = created.token.slice(`umt_${created.id}_`.length);
      expect(JSON.stringify(await db.knex('api_tokens').select('*'))).not.to.contain(secret);
      const listed = await store().listApiTokens('fachverfahren');
      expect(listed).to.deep.equal([{ id: created.id, userId: 'fachverfahren', name: 'Meldewesen', createdAt: now }]);
    });

    it('revokeApiToken of an unknown id throws IdentityNotFoundError; revoking twice keeps the first time', async () => {
      expect(await thrownBy(() => store().revokeApiToken('nope'))).to.be.instanceOf(IdentityNotFoundError);
      const created = await store().createApiToken('fachverfahren', 'Meldewesen', now);
      await store().revokeApiToken(created.id, later(1));
      await store().revokeApiToken(created.id, later(2));
      expect((await store().getApiToken(created.id))?.revokedAt).to.deep.equal(later(1));
    });
  });
});
