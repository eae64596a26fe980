/**
 * Named statements on embedded PGlite (server/store/namedStatements.ts):
 * prepared once per instance, run with their values as texts, failing with
 * PostgreSQL's SQLSTATE, and taking turns with PGlite's own queries.
 */
import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import { bindExecuteSync, runNamed } from '../../../server/store/namedStatements.js';

const awkward = ['', "it's", 'say "hi"', 'back\\slash', '{a,b}', 'NULL', 'line\nbreak', 'Prüfung 😀'];

async function failureOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('a Bind, Execute and Sync message', () => {
  // A length counted in characters rather than bytes would leave PGlite waiting for the rest of the message.
  it('gives each value its length in UTF-8 bytes, and NULL as -1', () => {
    expect([...bindExecuteSync('s', ['ü', null, ''])]).to.deep.equal([
      0x42, 0, 0, 0, 27, 0, 0x73, 0, 0, 0, 0, 3, 0, 0, 0, 2, 0xc3, 0xbc, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
      0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0,
      0x53, 0, 0, 0, 4,
    ]);
  });
});

describe('named statements on PGlite', function () {
  this.timeout(60_000);
  let pglite: PGlite;

  beforeEach(async () => {
    pglite = await PGlite.create();
  });

  afterEach(async () => {
    await pglite.close();
  });

  const preparedNames = async (): Promise<string[]> =>
    (await pglite.query<{ name: string }>('select name from pg_prepared_statements order by name')).rows.map((row) => row.name);

  it('prepare a statement once and run it with each call\'s values', async () => {
    const echo = { name: 'echo', text: 'select $1::text as said, $2::int + 1 as next' };
    expect(await runNamed(pglite, { ...echo, values: ['first', '1'] })).to.deep.equal([{ said: 'first', next: 2 }]);
    expect(await runNamed(pglite, { ...echo, values: ['second', '41'] })).to.deep.equal([{ said: 'second', next: 42 }]);
    expect(await preparedNames()).to.deep.equal(['echo']);
  });

  it('read rows by the description kept from preparing: none, one, several, each column by its type', async () => {
    await pglite.exec('create table entries (n int, at timestamptz, data jsonb)');
    const insert = { name: 'insert', text: 'insert into entries values ($1::int, $2::timestamptz, $3::jsonb)' };
    expect(await runNamed(pglite, { ...insert, values: ['1', '2026-11-22T08:00:00.000Z', '{"a":[1]}'] })).to.deep.equal([]);
    expect(await runNamed(pglite, { ...insert, values: ['2', null, 'null'] })).to.deep.equal([]);
    const select = { name: 'select', text: 'select n, at, data from entries where n >= $1::int order by n', values: ['1'] };
    expect(await runNamed(pglite, select)).to.deep.equal([
      { n: 1, at: new Date('2026-11-22T08:00:00.000Z'), data: { a: [1] } },
      { n: 2, at: null, data: null },
    ]);
    expect(await runNamed(pglite, { name: 'constant', text: 'select 1 as one', values: [] })).to.deep.equal([{ one: 1 }]);
  });

  it('pass any text and NULL unchanged, and read jsonb answers as values', async () => {
    const statement = { name: 'texts', text: 'select $1::text as text, $2::text is null as missing, $3::jsonb as answers' };
    for (const text of awkward) {
      const [row] = await runNamed(pglite, { ...statement, values: [text, null, JSON.stringify({ text })] });
      expect(row).to.deep.equal({ text, missing: true, answers: { text } });
    }
  });

  it('fail with PostgreSQL\'s SQLSTATE and leave the session ready for the next call', async () => {
    await pglite.exec(`create function refuse(id text) returns int language plpgsql as $$
      begin
        if id = 'taken' then raise exception 'row % changed', id using errcode = 'UM409'; end if;
        return 1;
      end $$`);
    const statement = { name: 'refuse', text: 'select refuse($1::text) as answer' };
    expect(await failureOf(runNamed(pglite, { ...statement, values: ['taken'] }))).to.include({ code: 'UM409', message: 'row taken changed' });
    expect(await runNamed(pglite, { ...statement, values: ['free'] })).to.deep.equal([{ answer: 1 }]);
    expect(pglite.isInTransaction()).to.equal(false);
  });

  it('prepare anew a statement that did not parse, once what it calls is there', async () => {
    const statement = { name: 'later', text: 'select later_function($1::text) as answer', values: ['x'] };
    expect((await failureOf(runNamed(pglite, statement))).code).to.equal('42883');
    await pglite.exec("create function later_function(t text) returns text language sql as $$ select t || '!' $$");
    expect(await runNamed(pglite, statement)).to.deep.equal([{ answer: 'x!' }]);
  });

  it('take turns with PGlite\'s own queries on its one session', async () => {
    await pglite.exec('create table log (n int)');
    const insert = { name: 'insert', text: 'insert into log values ($1::int) returning n' };
    const calls = Array.from({ length: 40 }, (_, n) => (n % 2 === 0
      ? runNamed(pglite, { ...insert, values: [String(n)] })
      : pglite.query('insert into log values ($1) returning n', [n]).then((result) => result.rows)));
    const answers = await Promise.all(calls);
    expect(answers.map((rows) => (rows[0] as { n: number }).n)).to.deep.equal(Array.from({ length: 40 }, (_, n) => n));
    expect((await pglite.query<{ count: number }>('select count(*)::int as count from log')).rows[0]!.count).to.equal(40);
  });
});
