/**
 * One worker process of the crash test (test/server/crash.spec.ts), run as
 * `node --import tsx test/server/support/crashWorker.ts`: an engine with its
 * own connection pool on the shared PostgreSQL database that, without pause,
 * starts a few instances, runs due service jobs and completes open user
 * tasks picked at random, as a busy server would. It writes one JSON line to
 * stdout per step it saw succeed, so the test knows how far it got and can
 * kill it in the middle of its work.
 *
 * Environment: CRASH_DATABASE (JSON DatabaseOptions), CRASH_RUNNER (runner
 * id), CRASH_STARTS (instances to start), CRASH_JOB_LOCK_MS (job claim time).
 * SIGTERM stops it after the step under way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, Engine, type UserTask } from '../../../engine/index.js';
import { openDatabase, type DatabaseOptions } from '../../../server/store/database.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { jitteredPause } from '../../../server/store/retryPause.js';

export type CrashEvent =
  | { event: 'ready'; runner: string }
  | { event: 'started'; instance: string; recipients: number }
  | { event: 'startsDone' }
  | { event: 'jobs'; count: number }
  | { event: 'completed'; task: string; instance: string; element: string }
  | { event: 'conflict'; task: string }
  | { event: 'error'; operation: string; name: string; message: string; stack?: string }
  | { event: 'stopped' };

const options = JSON.parse(process.env['CRASH_DATABASE'] ?? '{}') as DatabaseOptions;
const runner = process.env['CRASH_RUNNER'] ?? `crash-${process.pid}`;
const starts = Number(process.env['CRASH_STARTS'] ?? '0');
const jobLockMilliseconds = Number(process.env['CRASH_JOB_LOCK_MS'] ?? '2000');
/** User tasks completed at once, as concurrent requests to one server would. */
const parallel = 4;

function emit(event: CrashEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

let stopping = false;
process.on('SIGTERM', () => { stopping = true; });

const database = openDatabase({ ...options, poolSize: parallel + 2 });
const engine = new Engine({
  store: new KnexStore(database.knex),
  runnerId: runner,
  jobLockMilliseconds,
  pauseBeforeRetry: jitteredPause,
  services: {
    prepare: () => ({ preparedBy: runner }),
    archive: async () => { await Promise.resolve(); return { archivedBy: runner }; },
  },
});

function recipientsFor(index: number): string[] {
  return Array.from({ length: 20 + (index % 11) }, (_, recipient) => `${runner}-${index}-user-${recipient}`);
}

async function complete(task: Pick<UserTask, 'id' | 'instanceId' | 'elementId'>): Promise<void> {
  try {
    await engine.completeUserTask(task.id, task.elementId === 'review' ? { approved: true } : { confirmedBy: runner });
    emit({ event: 'completed', task: task.id, instance: task.instanceId, element: task.elementId });
  } catch (error) {
    if (error instanceof ConflictError) emit({ event: 'conflict', task: task.id });
    else throw error;
  }
}

/** Runs one piece of the loop; an error is reported, and the worker goes on as a server would. */
async function guarded(operation: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const { name, message, stack } = error instanceof Error ? error : { name: 'Error', message: String(error), stack: undefined };
    emit({ event: 'error', operation, name, message, ...(stack ? { stack: stack.split('\n').slice(0, 8).join('\n') } : {}) });
  }
}

async function main(): Promise<void> {
  emit({ event: 'ready', runner });
  if (starts === 0) emit({ event: 'startsDone' });
  let started = 0;
  while (!stopping) {
    let busy = false;
    if (started < starts) {
      const index = started++;
      await guarded('startProcess', async () => {
        const recipients = recipientsFor(index);
        const instance = await engine.startProcess('crash', { recipients });
        emit({ event: 'started', instance: instance.id, recipients: recipients.length });
      });
      if (started === starts) emit({ event: 'startsDone' });
      busy = true;
    }
    await guarded('runDueJobs', async () => {
      const count = await engine.runDueJobs();
      if (count > 0) { emit({ event: 'jobs', count }); busy = true; }
    });
    await guarded('pickUserTasks', async () => {
      // Picked in SQL: Engine.listUserTasks loads each open task's variables with a query of its own, and with
      // hundreds of open tasks that alone would exhaust the pool.
      const open = await database.knex('user_tasks').where({ state: 'open' }).orderByRaw('random()').limit(3 * parallel)
        .select('id', 'instance_id as instanceId', 'element_id as elementId') as Pick<UserTask, 'id' | 'instanceId' | 'elementId'>[];
      if (open.length > 0) busy = true;
      for (let offset = 0; offset < open.length && !stopping; offset += parallel) {
        await Promise.all(open.slice(offset, offset + parallel).map((task) => guarded('completeUserTask', () => complete(task))));
      }
    });
    // Only when there is nothing to do: the hot loop itself never waits.
    if (!busy) await sleep(20);
  }
  await database.close();
  emit({ event: 'stopped' });
}

await main();
