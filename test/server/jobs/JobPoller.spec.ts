import { expect } from 'chai';
import knex from 'knex';
import { pino } from 'pino';
import { Engine } from '../../../engine/index.js';
import { JobPoller } from '../../../server/jobs/JobPoller.js';
import { isDatabaseReachable } from '../../../server/store/health.js';
import { fixture } from '../../support/scenario.js';
import { databaseKind, databaseUrl, useTestDatabase } from '../../support/database.js';
import { eventually } from '../../support/eventually.js';

const timers = fixture(import.meta.url, '../store/timers.bpmn');
const silent = pino({ level: 'silent' });

describe(`JobPoller on ${databaseKind}`, function () {
  this.timeout(60_000);
  // knex warns of the connections the database-away test takes from it; that test reads them here.
  const knexWarnings: string[] = [];
  const db = useTestDatabase({ logger: pino({ level: 'warn' }, { write: (line: string) => { knexWarnings.push(line); } }) });
  let time: number;
  let engine: Engine;
  let poller: JobPoller | undefined;

  beforeEach(async () => {
    time = new Date('2026-03-02T08:00:00Z').getTime();
    engine = new Engine({ store: await db.current.freshStore(), clock: () => new Date(time) });
    await engine.deploy(timers);
  });
  afterEach(async () => poller?.stop());

  const waitingAfterTheTimer = (instanceId: string) => async () =>
    (await engine.getInstance(instanceId)).activeElementIds.includes('after');

  it('fires due timers on its own, and stops claiming once stopped', async () => {
    poller = new JobPoller(engine, { pollMilliseconds: 20 }, silent);
    poller.start();
    const first = await engine.startProcess('wait-an-hour');
    time += 3_600_000;
    await eventually(waitingAfterTheTimer(first.id));
    // The step lands before the poll that ran it counts it.
    await eventually(async () => poller!.state.jobsRun > 0);
    expect(poller.state).to.include({ running: true, healthy: true, jobsRun: 1 });
    await poller.stop();
    const second = await engine.startProcess('wait-an-hour');
    time += 3_600_000;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await engine.getInstance(second.id)).activeElementIds).to.deep.equal(['an-hour']);
    expect(poller.state).to.include({ running: false, jobsRun: 1 });
  });

  it('polls on a node-cron schedule when one is configured', async () => {
    poller = new JobPoller(engine, { pollMilliseconds: 60_000, cron: '* * * * * *' }, silent);
    poller.start();
    const instance = await engine.startProcess('wait-an-hour');
    time += 3_600_000;
    await eventually(waitingAfterTheTimer(instance.id), 5_000);
  });

  it('reports the database going away, holds nothing meanwhile, and goes on when it is back', async function () {
    if (!databaseUrl) this.skip(); // needs a PostgreSQL server to take away
    const name = new URL(db.current.options.url!).pathname.slice(1);
    const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    poller = new JobPoller(engine, { pollMilliseconds: 50 }, silent);
    const instance = await engine.startProcess('wait-an-hour');
    try {
      await admin.raw('alter database ?? allow_connections false', [name]);
      await admin.raw('select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()', [name]);
      time += 3_600_000;
      poller.start();
      await eventually(async () => poller!.state.failedPolls > 0, 15_000);
      expect(poller.state.healthy).to.equal(false);
      expect(await isDatabaseReachable(db.current.database)).to.equal(false);
      expect(knexWarnings.join('\n')).to.match(/Connection Error/);
    } finally {
      await admin.raw('alter database ?? allow_connections true', [name]);
      await admin.destroy();
    }
    await eventually(async () => poller!.state.healthy, 15_000);
    expect(await isDatabaseReachable(db.current.database)).to.equal(true);
    await eventually(waitingAfterTheTimer(instance.id));
    const history = await engine.history(instance.id);
    expect(history.filter((event) => event.elementId === 'an-hour' && event.type === 'completed')).to.have.length(1);
  });
});
