/**
 * Many engines on one database at the same time, each with its own
 * connection pool, as separate servers would be: real concurrency on
 * PostgreSQL (on PGlite, with its single connection, the same steps take turns).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ConflictError, Engine } from '../../../engine/index.js';
import { openDatabase, type Database } from '../../../server/store/database.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { jitteredPause } from '../../../server/store/retryPause.js';
import { fixture } from '../../support/scenario.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';

const acknowledgment = readFileSync(new URL('../../../processes/acknowledgment.bpmn', import.meta.url), 'utf8');
const timers = fixture(import.meta.url, 'timers.bpmn');
const start = new Date('2026-03-02T08:00:00Z').getTime();

describe(`many engines on one ${databaseKind} database`, function () {
  this.timeout(120_000);
  const db = useTestDatabase();
  const opened: Database[] = [];
  let time = start;

  /** Engines as separate servers would have them: each its own pool (on PGlite, the one database). */
  async function engines(count: number): Promise<Engine[]> {
    await db.current.freshStore();
    return Array.from({ length: count }, (_, index) => {
      const database = db.current.database.kind === 'postgres' ? openDatabase({ ...db.current.options, poolSize: 4 }) : db.current.database;
      if (database !== db.current.database) opened.push(database);
      return new Engine({ store: new KnexStore(database.knex), clock: () => new Date(time), runnerId: `runner-${index}`, pauseBeforeRetry: jitteredPause });
    });
  }

  beforeEach(() => { time = start; });
  afterEach(async () => { await Promise.all(opened.splice(0).map((database) => database.close())); });

  it('lets exactly one of two simultaneous completions of a user task succeed; the other gets ConflictError', async () => {
    const [first, second] = await engines(2) as [Engine, Engine];
    await first.deploy(acknowledgment);
    for (let round = 0; round < 10; round++) {
      const instance = await first.startProcess('acknowledgment', { recipients: ['anna', 'bob'] });
      const [task] = await first.listUserTasks({ instanceId: instance.id, assignee: 'anna' });
      const outcomes = await Promise.allSettled([
        first.completeUserTask(task!.id, { confirmedAt: 'first' }),
        second.completeUserTask(task!.id, { confirmedAt: 'second' }),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
      const [rejected] = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(rejected!.reason).to.be.instanceOf(ConflictError);
      const history = await first.history(instance.id);
      expect(history.filter((event) => event.type === 'completed' && event.elementInstanceId === task!.id)).to.have.length(1);
    }
  });

  it('loses no completion when siblings of one multi-instance body complete at once, and completes the body once', async () => {
    const all = await engines(4);
    await all[0]!.deploy(acknowledgment);
    const recipients = Array.from({ length: 80 }, (_, index) => `user-${index}`);
    const instance = await all[0]!.startProcess('acknowledgment', { recipients });
    const tasks = await all[0]!.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(tasks).to.have.length(80);
    await Promise.all(tasks.map((task, index) => all[index % all.length]!.completeUserTask(task.id)));
    const done = await all[0]!.getInstance(instance.id);
    expect(done.state).to.equal('completed');
    const confirmations = done.variables['confirmations'] as { recipient: string; confirmedAt: string }[];
    expect(confirmations.map((entry) => entry.recipient)).to.deep.equal(recipients);
    expect(confirmations.every((entry) => new Date(entry.confirmedAt).getTime() === start)).to.equal(true);
    const history = await all[0]!.history(instance.id);
    expect(history.filter((event) => event.elementId === 'acknowledge' && event.type === 'completed' && event.elementType === 'multiInstanceBody')).to.have.length(1);
    expect(history.filter((event) => event.elementId === 'done' && event.type === 'completed')).to.have.length(1);
    expect(await all[0]!.listUserTasks({ instanceId: instance.id, state: 'completed' })).to.have.length(80);
  });

  it('fires each of 1,000 timers due at once exactly once with 3 runners', async () => {
    const runners = await engines(3);
    await runners[0]!.deploy(timers);
    const instanceIds: string[] = [];
    for (let index = 0; index < 1_000; index++) instanceIds.push((await runners[0]!.startProcess('wait-an-hour', { index })).id);
    time += 2 * 3_600_000;
    const ran = await Promise.all(runners.map((runner) => runner.runDueJobs()));
    expect(ran.reduce((sum, count) => sum + count, 0)).to.equal(1_000);
    const fired = await db.current.database.knex('history').where({ element_id: 'an-hour', type: 'completed' }).count<{ count: string }[]>('* as count');
    expect(Number(fired[0]!.count)).to.equal(1_000);
    const open = await db.current.database.knex('user_tasks').where({ state: 'open' }).count<{ count: string }[]>('* as count');
    expect(Number(open[0]!.count)).to.equal(1_000);
    const jobs = await db.current.database.knex('jobs').count<{ count: string }[]>('* as count');
    expect(Number(jobs[0]!.count)).to.equal(0);
    expect(await Promise.all(runners.map((runner) => runner.runDueJobs()))).to.deep.equal([0, 0, 0]);
  });
});
