/**
 * PipelinedConnection: first with a pool and connection the test answers by
 * hand, so what is sent when is decided by the order of calls and answers
 * alone; then (PostgreSQL only) on a real connection in pg's pipeline mode.
 */
import { expect } from 'chai';
import { PipelinedConnection, type ConnectionPool, type PipelinableConnection } from '../../../server/store/pipelinedConnection.js';
import { databaseUrl, useTestDatabase } from '../../support/database.js';
import { deferred, type Deferred } from '../../support/deferred.js';

type Rows = { rows: Record<string, unknown>[] };

/** A connection that records each statement with the pipeline switch as it was when sent, and answers when told. */
class ScriptedConnection implements PipelinableConnection {
  pipeline = false;
  readonly sent: { name: string; pipelined: boolean; answer: Deferred<Rows> }[] = [];

  query(config: { name: string }): Promise<Rows> {
    const answer = deferred<Rows>();
    this.sent.push({ name: config.name, pipelined: this.pipeline, answer });
    return answer.promise;
  }
}

/** A pool of scripted connections that counts what is taken and given back; an acquire can be made to fail. */
class ScriptedPool implements ConnectionPool {
  readonly connections: ScriptedConnection[] = [];
  readonly released: ScriptedConnection[] = [];
  failNext: Error | undefined;

  async acquireConnection(): Promise<unknown> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    const connection = new ScriptedConnection();
    this.connections.push(connection);
    return connection;
  }

  async releaseConnection(connection: unknown): Promise<void> {
    this.released.push(connection as ScriptedConnection);
  }
}

const statement = (name: string) => ({ name, text: 'select 1', values: [] });
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** Statements 'a' and 'b' sent at once on a fresh lane, both on the wire. */
async function twoInFlight() {
  const pool = new ScriptedPool();
  const lane = new PipelinedConnection(pool);
  const first = lane.query(statement('a'));
  const second = lane.query(statement('b'));
  await settled();
  return { pool, lane, first, second, connection: pool.connections[0]! };
}

describe('PipelinedConnection', () => {
  it('sends a statement while another is in flight, on the same connection in pipeline mode', async () => {
    const { pool, first, second, connection } = await twoInFlight();
    expect(pool.connections).to.have.length(1);
    expect(connection.sent.map(({ name, pipelined }) => ({ name, pipelined }))).to.deep.equal([
      { name: 'a', pipelined: true }, { name: 'b', pipelined: true },
    ]);
    connection.sent[0]!.answer.resolve({ rows: [{ answer: 'a' }] });
    connection.sent[1]!.answer.resolve({ rows: [{ answer: 'b' }] });
    expect(await first).to.deep.equal([{ answer: 'a' }]);
    expect(await second).to.deep.equal([{ answer: 'b' }]);
  });

  it('gives the connection back, out of pipeline mode, once nothing is in flight, and takes one again for the next statement', async () => {
    const { pool, lane, first, second, connection } = await twoInFlight();
    connection.sent[0]!.answer.resolve({ rows: [] });
    await first;
    await settled();
    expect(pool.released, 'given back while a statement is in flight').to.deep.equal([]);

    connection.sent[1]!.answer.resolve({ rows: [] });
    await second;
    await settled();
    expect(pool.released).to.deep.equal([connection]);
    expect(connection.pipeline).to.equal(false);

    const third = lane.query(statement('c'));
    await settled();
    expect(pool.connections).to.have.length(2);
    pool.connections[1]!.sent[0]!.answer.resolve({ rows: [] });
    await third;
  });

  it('gives a failed statement its own error and the others their answers', async () => {
    const { pool, first, second, connection } = await twoInFlight();
    connection.sent[0]!.answer.reject(new Error('refused'));
    connection.sent[1]!.answer.resolve({ rows: [{ answer: 'b' }] });

    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes[0]).to.include({ status: 'rejected' });
    expect((outcomes[0] as PromiseRejectedResult).reason).to.have.property('message', 'refused');
    expect(outcomes[1]).to.deep.equal({ status: 'fulfilled', value: [{ answer: 'b' }] });
    await settled();
    expect(pool.released).to.deep.equal([connection]);
  });

  it('fails the statements waiting for a connection the pool could not give, and asks again for the next one', async () => {
    const pool = new ScriptedPool();
    pool.failNext = new Error('no connection');
    const lane = new PipelinedConnection(pool);
    const outcomes = await Promise.allSettled([lane.query(statement('a')), lane.query(statement('b'))]);
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);

    const next = lane.query(statement('c'));
    await settled();
    expect(pool.connections).to.have.length(1);
    pool.connections[0]!.sent[0]!.answer.resolve({ rows: [{ answer: 'c' }] });
    expect(await next).to.deep.equal([{ answer: 'c' }]);
  });

  (databaseUrl ? describe : describe.skip)('on PostgreSQL', () => {
    const db = useTestDatabase();

    it('answers statements sent at once on one connection each with its own rows, and a failing one with its own error', async () => {
      const knex = db.current.database.knex;
      const lane = new PipelinedConnection(knex.client as ConnectionPool);
      const asked = Array.from({ length: 20 }, (_, index) => index);
      const answers = await Promise.allSettled(asked.map((index) => lane.query({
        name: 'umlauf_test_pipelined',
        text: 'select 10 / $1::int as quotient, pg_backend_pid() as pid, txid_current() as transaction',
        values: [index === 7 ? 0 : index + 1],
      })));

      const rejected = answers.flatMap((answer, index) => (answer.status === 'rejected' ? [index] : []));
      expect(rejected).to.deep.equal([7]);
      expect(((answers[7] as PromiseRejectedResult).reason as { code?: string }).code).to.equal('22012');
      const rows = answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []));
      expect(rows.map((row) => row['quotient'])).to.deep.equal(asked.filter((index) => index !== 7).map((index) => Math.trunc(10 / (index + 1))));
      expect(new Set(rows.map((row) => row['pid'])).size, 'connections used').to.equal(1);
      expect(new Set(rows.map((row) => row['transaction'])).size, 'each statement its own transaction').to.equal(19);
    });
  });
});
