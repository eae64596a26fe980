/**
 * Crash test: real worker processes (test/server/support/crashWorker.ts), each
 * an engine with its own pool on one PostgreSQL database, complete user tasks
 * and run service jobs as fast as they can; one is killed with SIGKILL in the
 * middle of its work and a replacement is started. Since every step is one
 * database statement, the kill may lose the step under way but never half
 * of it: afterwards no user task may be lost or done twice and no instance
 * may be stuck. Needs PostgreSQL (DATABASE_URL): PGlite is one process only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Engine } from '../../engine/index.js';
import { KnexStore } from '../../server/store/KnexStore.js';
import { fixture } from '../support/scenario.js';
import { databaseUrl, useTestDatabase } from '../support/database.js';
import type { CrashEvent } from './support/crashWorker.js';

const definition = fixture(import.meta.url, 'crash.bpmn');
const workerScript = fileURLToPath(new URL('./support/crashWorker.ts', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Instances the test starts before the workers run; each worker starts a few more while it works. */
const initialInstances = 20;
const startsPerWorker = 3;
const workerCount = 3;
/** The victim is killed right after it reported this many completed user tasks (it is then mid-loop). */
const killAfterCompletions = 60;
const jobLockMilliseconds = 1_500;
const settleTimeout = 60_000;

class Worker {
  readonly events: CrashEvent[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private stderr = '';
  alive = true;

  constructor(readonly runner: string, databaseOptions: object, starts: number) {
    this.process = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        CRASH_DATABASE: JSON.stringify(databaseOptions),
        CRASH_RUNNER: runner,
        CRASH_STARTS: String(starts),
        CRASH_JOB_LOCK_MS: String(jobLockMilliseconds),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.process.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as CrashEvent);
      } catch {
        this.stderr += `(stdout) ${line}\n`;
      }
    });
    this.process.stderr!.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4_000); });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => { this.alive = false; resolve({ code, signal }); });
    });
  }

  count(kind: CrashEvent['event']): number {
    return this.events.filter((event) => event.event === kind).length;
  }

  completed(): Extract<CrashEvent, { event: 'completed' }>[] {
    return this.events.filter((event): event is Extract<CrashEvent, { event: 'completed' }> => event.event === 'completed');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.process.kill(signal);
  }

  describe(): string {
    return `${this.runner}: ${this.count('completed')} completions, ${this.count('conflict')} conflicts, ` +
      `${this.events.filter((event) => event.event === 'jobs').reduce((sum, event) => sum + event.count, 0)} jobs, ` +
      `${this.count('started')} starts, ${this.count('error')} errors${this.alive ? '' : ' (exited)'}` +
      (this.stderr ? `\n  stderr: ${this.stderr.trim()}` : '');
  }
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeout: number, workers: Worker[] = []): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}\n${workers.map((worker) => worker.describe()).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const describeOnPostgres = databaseUrl ? describe : describe.skip;

describeOnPostgres(`crash test: worker processes, one killed with SIGKILL mid-step${databaseUrl ? '' : ' (skipped: needs PostgreSQL, set DATABASE_URL)'}`, function () {
  this.timeout(90_000);
  const db = useTestDatabase();
  const workers: Worker[] = [];

  after(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map((worker) => worker.exited));
  });

  it('loses no user task, completes none twice and leaves no instance stuck', async () => {
    const knex = db.current.database.knex;
    const engine = new Engine({ store: new KnexStore(knex) });
    await engine.deploy(definition);
    for (let index = 0; index < initialInstances; index++) {
      await engine.startProcess('crash', { recipients: Array.from({ length: 20 + (index % 11) }, (_, recipient) => `test-${index}-user-${recipient}`) });
    }

    const options = db.current.options;
    for (let index = 0; index < workerCount; index++) workers.push(new Worker(`worker-${index}`, options, startsPerWorker));
    const victim = workers[0]!;
    const spawnedAt = Date.now();
    await waitFor(`${killAfterCompletions} completions by the victim`, () => !victim.alive || victim.count('completed') >= killAfterCompletions, 30_000, workers);
    expect(victim.alive, `the victim exited early\n${victim.describe()}`).to.equal(true);
    // A random moment in its hot loop: mid-statement, between a commit and its report, or inside a service handler.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 25));
    victim.kill('SIGKILL');
    const { signal } = await victim.exited;
    expect(signal).to.equal('SIGKILL');
    const reportedBeforeKill = victim.count('completed');
    const killedAt = Date.now();
    const claimedByVictim = Number((await knex('jobs').where({ lock_owner: victim.runner }).count<{ count: string }[]>('* as count'))[0]!.count);
    const replacement = new Worker('worker-replacement', options, startsPerWorker);
    workers.push(replacement);
    const survivors = workers.filter((worker) => worker !== victim);

    const unfinished = async () => Number((await knex('instances').whereNot({ state: 'completed' }).count<{ count: string }[]>('* as count'))[0]!.count);
    await waitFor('every instance to complete', async () =>
      survivors.every((worker) => worker.count('startsDone') === 1) && await unfinished() === 0, settleTimeout, workers);
    const settledAt = Date.now();
    for (const worker of survivors) worker.kill('SIGTERM');
    const exits = await Promise.all(survivors.map((worker) => worker.exited));
    const victimConfirmations = Number((await knex('variables').where({ name: 'confirmations' })
      .select(knex.raw(`coalesce(sum((select count(*) from jsonb_array_elements(value) as entry where entry->>'confirmedBy' = ?)), 0) as count`, [victim.runner])))[0].count);
    console.log(`      ${victim.runner} killed ${killedAt - spawnedAt} ms after the workers were spawned, having reported ${reportedBeforeKill} completions ` +
      `(${victim.completed().filter((event) => event.element === 'confirm').length} confirmations reported, ${victimConfirmations} in the database); ` +
      `${claimedByVictim} jobs still claimed by it; all instances completed ${settledAt - killedAt} ms after the kill\n      ${workers.map((worker) => worker.describe()).join('\n      ')}`);
    expect(exits.map((exit) => exit.code), workers.map((worker) => worker.describe()).join('\n')).to.deep.equal(survivors.map(() => 0));

    // Every instance, including those the workers started, ran to its end.
    const instances = await knex('instances').select('id', 'state') as { id: string; state: string }[];
    const reportedStarts = workers.flatMap((worker) => worker.events.filter((event) => event.event === 'started').map((event) => event.instance));
    expect(instances.length).to.be.at.least(initialInstances + reportedStarts.length);
    expect(instances.map((instance) => instance.id)).to.include.members(reportedStarts);
    expect(instances.filter((instance) => instance.state !== 'completed')).to.deep.equal([]);

    // Per instance: exactly one user task per recipient plus the review, each completed, with the proof collected.
    for (const { id } of instances) {
      const instance = await engine.getInstance(id);
      const recipients = instance.variables['recipients'] as string[];
      const tasks = await knex('user_tasks').where({ instance_id: id }).select('element_id', 'assignee', 'state') as { element_id: string; assignee: string; state: string }[];
      expect(tasks.filter((task) => task.element_id === 'confirm').map((task) => task.assignee).sort(), `confirm tasks of ${id}`).to.deep.equal([...recipients].sort());
      expect(tasks.filter((task) => task.element_id === 'review'), `review tasks of ${id}`).to.have.length(1);
      expect(tasks.filter((task) => task.state !== 'completed'), `unfinished tasks of ${id}`).to.deep.equal([]);
      const confirmations = instance.variables['confirmations'] as { recipient: string; confirmedBy: string }[];
      expect(confirmations.map((entry) => entry.recipient), `confirmations of ${id}`).to.deep.equal(recipients);
      expect(confirmations.every((entry) => typeof entry.confirmedBy === 'string' && entry.confirmedBy.startsWith('worker-'))).to.equal(true);
      expect(instance.variables['archivedBy'], `archivedBy of ${id}`).to.be.a('string');
      const history = await engine.history(id);
      for (const elementId of ['started', 'prepare', 'review', 'archive', 'done']) {
        expect(history.filter((event) => event.elementId === elementId && event.type === 'completed'), `${elementId} completions in ${id}`).to.have.length(1);
      }
      expect(history.filter((event) => event.elementId === 'confirm' && event.type === 'completed' && event.elementType !== 'multiInstanceBody'),
        `confirm completions in ${id}`).to.have.length(recipients.length);
    }

    // No element instance was activated, completed or terminated twice.
    const repeated = await knex('history').select('element_instance_id', 'type').count('* as count')
      .groupBy('element_instance_id', 'type').havingRaw('count(*) > 1') as unknown[];
    expect(repeated, 'history events recorded twice').to.deep.equal([]);
    // Each user task's element instance completed exactly once.
    const taskCompletions = await knex('user_tasks as task')
      .leftJoin('history', function () { this.on('history.element_instance_id', '=', 'task.element_instance_id').andOnVal('history.type', '=', 'completed'); })
      .groupBy('task.id').select('task.id').count('history.seq as count') as { id: string; count: string }[];
    expect(taskCompletions.filter((row) => Number(row.count) !== 1), 'user tasks not completed exactly once').to.deep.equal([]);

    // What the workers saw succeed: no task completed by two of them, all of it in the database.
    const reported = workers.flatMap((worker) => worker.completed().map((event) => event.task));
    expect(reported.length - new Set(reported).size, 'user tasks two completions succeeded for').to.equal(0);
    const completedIds = new Set((await knex('user_tasks').where({ state: 'completed' }).select('id') as { id: string }[]).map((row) => row.id));
    expect(reported.filter((task) => !completedIds.has(task)), 'reported completions missing in the database').to.deep.equal([]);

    // Nothing left over: no open task, incident, job, subscription or element instance.
    for (const table of ['jobs', 'incidents', 'subscriptions', 'element_instances']) {
      const [row] = await knex(table).count<{ count: string }[]>('* as count');
      expect(Number(row!.count), `rows left in ${table}`).to.equal(0);
    }
    expect(await engine.listUserTasks({ state: 'open' })).to.deep.equal([]);

    // A worker that lost a race gets ConflictError (ignored by the worker); anything else is a fault.
    const errors = workers.flatMap((worker) => worker.events.filter((event) => event.event === 'error'));
    expect(errors, 'unexpected errors in the workers').to.deep.equal([]);
  });
});
