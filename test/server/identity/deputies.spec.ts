import { expect } from 'chai';
import { IdentityNotFoundError, IdentityStore, IdentityValidationError } from '../../../server/identity/IdentityStore.js';
import { databaseKind } from '../../support/database.js';
import { thrownBy, useIdentityDatabase } from './support.js';

describe(`IdentityStore deputies on ${databaseKind}`, () => {
  const db = useIdentityDatabase();
  const store = () => new IdentityStore(db.knex);
  /** Whom a request's caller stands in for at `at`. */
  const deputyFor = async (userId: string, at: Date) => (await store().callerFacts(userId, at))?.deputyFor;
  const startsAt = new Date('2026-07-01T00:00:00Z');
  const endsAt = new Date('2026-07-15T00:00:00Z');

  beforeEach(async () => {
    for (const id of ['a.mueller', 'b.schmidt', 'c.weber']) await store().createUser({ id, displayName: id, roles: ['employee'] });
  });

  it('a deputy stands in for the absent user from the start (inclusive) until the end (exclusive) only', async () => {
    await store().createDeputy({ absentUserId: 'a.mueller', deputyUserId: 'b.schmidt', startsAt, endsAt });
    expect(await deputyFor('b.schmidt', new Date('2026-06-30T23:59:59Z'))).to.deep.equal([]);
    expect(await deputyFor('b.schmidt', startsAt)).to.deep.equal(['a.mueller']);
    expect(await deputyFor('b.schmidt', new Date('2026-07-14T23:59:59Z'))).to.deep.equal(['a.mueller']);
    expect(await deputyFor('b.schmidt', endsAt)).to.deep.equal([]);
  });

  it("standing in does not pass on a deputy's own absence (non-transitive)", async () => {
    await store().createDeputy({ absentUserId: 'a.mueller', deputyUserId: 'b.schmidt', startsAt, endsAt });
    await store().createDeputy({ absentUserId: 'b.schmidt', deputyUserId: 'c.weber', startsAt, endsAt });
    const during = new Date('2026-07-05T12:00:00Z');
    expect(await deputyFor('c.weber', during)).to.deep.equal(['b.schmidt']);
    expect(await deputyFor('a.mueller', during)).to.deep.equal([]);
  });

  it('createDeputy refuses a deputy for oneself and a period that ends before it starts', async () => {
    const self = await thrownBy(() => store().createDeputy({ absentUserId: 'a.mueller', deputyUserId: 'a.mueller', startsAt, endsAt }));
    expect(self).to.be.instanceOf(IdentityValidationError);
    const backwards = await thrownBy(() => store().createDeputy({ absentUserId: 'a.mueller', deputyUserId: 'b.schmidt', startsAt: endsAt, endsAt: startsAt }));
    expect(backwards).to.be.instanceOf(IdentityValidationError);
  });

  it('the deputies table itself refuses a deputy for oneself (check constraint)', async () => {
    const row = { id: 'd1', absent_user_id: 'a.mueller', deputy_user_id: 'a.mueller', starts_at: startsAt, ends_at: endsAt, created_at: startsAt };
    const error = await thrownBy(async () => db.knex('deputies').insert(row));
    expect(error).to.have.property('code', '23514');
  });

  it('createDeputy for an unknown user throws IdentityNotFoundError', async () => {
    const error = await thrownBy(() => store().createDeputy({ absentUserId: 'nobody', deputyUserId: 'b.schmidt', startsAt, endsAt }));
    expect(error).to.be.instanceOf(IdentityNotFoundError);
  });

  it('listDeputies with a userId gives the rows where the user is absent or deputy; getDeputy and deleteDeputy work by id', async () => {
    const first = await store().createDeputy({ absentUserId: 'a.mueller', deputyUserId: 'b.schmidt', startsAt, endsAt });
    const second = await store().createDeputy({ absentUserId: 'b.schmidt', deputyUserId: 'c.weber', startsAt: endsAt, endsAt: new Date('2026-08-01T00:00:00Z') });
    expect((await store().listDeputies({ userId: 'b.schmidt' })).map((deputy) => deputy.id)).to.deep.equal([first.id, second.id]);
    expect((await store().listDeputies({ userId: 'a.mueller' })).map((deputy) => deputy.id)).to.deep.equal([first.id]);
    expect(await store().getDeputy(first.id)).to.deep.equal(first);
    await store().deleteDeputy(first.id);
    expect(await store().listDeputies()).to.have.length(1);
    expect(await thrownBy(() => store().deleteDeputy(first.id))).to.be.instanceOf(IdentityNotFoundError);
  });
});
