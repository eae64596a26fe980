import { expect } from 'chai';
import { DatabaseLoginAttempts } from '../../../server/http/loginAttempts.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';

describe(`the login attempts counted in the database (on ${databaseKind})`, () => {
  const db = useTestDatabase({ poolSize: 4 });
  let now: Date;
  const window = 60_000;
  const attempts = () => new DatabaseLoginAttempts(db.current.database.knex, window, { clock: () => now });

  beforeEach(async () => {
    now = new Date('2026-03-02T09:00:00Z');
    await db.current.database.knex('login_attempts').delete();
  });

  it('counts an address from 1 with the window from its first attempt, and from 1 again once the window has passed', async () => {
    const store = attempts();
    expect(await store.increment('10.0.0.1')).to.deep.equal({ totalHits: 1, resetTime: new Date('2026-03-02T09:01:00Z') });
    now = new Date('2026-03-02T09:00:30Z');
    expect(await store.increment('10.0.0.1')).to.deep.equal({ totalHits: 2, resetTime: new Date('2026-03-02T09:01:00Z') });
    expect(await store.get('10.0.0.1')).to.deep.equal({ totalHits: 2, resetTime: new Date('2026-03-02T09:01:00Z') });
    expect(await store.increment('10.0.0.2')).to.include({ totalHits: 1 });
    now = new Date('2026-03-02T09:01:00Z');
    expect(await store.get('10.0.0.1')).to.equal(undefined);
    expect(await store.increment('10.0.0.1')).to.deep.equal({ totalHits: 1, resetTime: new Date('2026-03-02T09:02:00Z') });
  });

  it('counts every one of many attempts at once from several servers', async () => {
    const servers = [attempts(), attempts(), attempts()];
    const answers = await Promise.all(Array.from({ length: 30 }, (_, index) => servers[index % 3]!.increment('10.0.0.9')));
    expect(answers.map((answer) => answer.totalHits).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 30 }, (_, index) => index + 1));
  });

  it('takes back an attempt, never below 0, and forgets an address on reset', async () => {
    const store = attempts();
    await store.increment('10.0.0.1');
    await store.decrement('10.0.0.1');
    await store.decrement('10.0.0.1');
    expect(await store.get('10.0.0.1')).to.include({ totalHits: 0 });
    await store.increment('10.0.0.1');
    await store.resetKey('10.0.0.1');
    expect(await store.get('10.0.0.1')).to.equal(undefined);
  });

  it('removes windows that have passed, so the table holds only live ones', async () => {
    const store = attempts();
    await store.increment('10.0.0.1');
    now = new Date('2026-03-02T09:00:59Z');
    await store.increment('10.0.0.2');
    now = new Date('2026-03-02T09:01:30Z');
    await store.increment('10.0.0.3');
    const keys = (await db.current.database.knex('login_attempts').orderBy('key').pluck('key')) as string[];
    expect(keys).to.deep.equal(['login:10.0.0.2', 'login:10.0.0.3']);
  });
});
