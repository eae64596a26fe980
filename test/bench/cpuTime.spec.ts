import { expect } from 'chai';
import { cpuCeiling, cpuReading, mainThreadCpuMicros, postgresCpuMicros, processCpuMicros } from '../../bench/cpuTime.js';
import { databaseUrl, useTestDatabase } from '../support/database.js';

/** PostgreSQL runs on this machine (as on CI), so its backends' CPU time can be read. */
const postgresHere = databaseUrl !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(databaseUrl).hostname);

/** Keeps the main thread busy for about `ms` of wall time. */
function spin(ms: number): void {
  const until = Date.now() + ms;
  let sink = 0;
  while (Date.now() < until) sink += Math.sqrt(sink + 1);
  expect(sink).to.be.greaterThan(0);
}

describe('bench/cpuTime', () => {
  it('bounds the rate by all CPU time on the cores and by the main thread on one core', () => {
    // 1,000 µs here and 1,000 µs in PostgreSQL per instance: 2 cores allow 1,000/s.
    expect(cpuCeiling({ process: 1_000, postgres: 1_000 }, 2)).to.equal(1_000);
    // A main thread busy 2,000 µs per instance allows 500/s, however many cores there are.
    expect(cpuCeiling({ process: 2_100, mainThread: 2_000 }, 8)).to.equal(500);
    expect(cpuCeiling({ process: 2_000, mainThread: 1_000, postgres: 2_000 }, 2)).to.equal(500);
  });

  it("reads this process's and its main thread's CPU time as it is spent", () => {
    const read = cpuReading();
    spin(120);
    const perUnit = read(1);
    expect(perUnit.process).to.be.greaterThan(50_000);
    // /proc counts in clock ticks (10 ms), so the main thread's share is as coarse as that.
    expect(perUnit.mainThread).to.be.a('number').and.to.be.within(perUnit.process - 60_000, perUnit.process + 20_000);
    expect(perUnit.postgres).to.equal(undefined);
    expect(mainThreadCpuMicros()).to.be.at.most(processCpuMicros() + 20_000);
  });

  it('finds no PostgreSQL backends for a database that nobody is connected to', () => {
    expect(postgresCpuMicros(`umlauf_nobody_${process.pid}`)).to.equal(undefined);
  });

  (postgresHere ? describe : describe.skip)('on PostgreSQL running here', () => {
    const test = useTestDatabase();

    it("reads the CPU time of the backends serving the test's database", async () => {
      const knex = test.current.database.knex;
      await knex.raw('select 1');
      const database = new URL(test.current.options.url!).pathname.slice(1);
      const read = cpuReading(database);
      // About a quarter of a second of work in the backend, none of it here.
      await knex.raw('select count(*) from generate_series(1, 3000000) g where g % 7 = 0');
      const perUnit = read(1);
      expect(perUnit.postgres).to.be.a('number').and.to.be.greaterThan(30_000);
      expect(postgresCpuMicros(database)).to.be.a('number');
    });
  });
});
