/**
 * Runs what is due: timers fire inside a step; service jobs call their
 * handler between steps (a handler does I/O), then complete, fail or raise a
 * BPMN error in a step of their own. Jobs are claimed first, so engines that
 * share a store do not run the same job at once; a job whose type has no
 * handler here is not claimed and stays for an engine that has one.
 */
import type { JobRecord, ServiceHandler, Variables } from './types.js';
import type { Store } from './store/Store.js';
import type { StepRunner } from './StepRunner.js';
import { describeValueProblems, variableValueProblems } from './variableValues.js';
import { BpmnError } from './errors.js';
import * as commands from './runtime/commands.js';
import { visibleVariables } from './runtime/variables.js';

const batchSize = 100;
const maxRounds = 10_000;

export interface ClaimSettings {
  /** Names this runner in job claims. */
  owner: string;
  /** How long a claim holds; a runner that dies lets its jobs go after this. */
  lockMilliseconds: number;
}

export class JobRunner {
  private readonly handlers = new Map<string, ServiceHandler>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
    private readonly steps: StepRunner,
    services: Record<string, ServiceHandler>,
    private readonly backoff: (failures: number) => number,
    private readonly claims: ClaimSettings,
  ) {
    for (const [type, handler] of Object.entries(services)) this.handlers.set(type, handler);
  }

  register(type: string, handler: ServiceHandler): void {
    this.handlers.set(type, handler);
  }

  /** Runs due jobs until none is left; jobs that become due meanwhile (a chain of service tasks) run too. */
  async runDue(): Promise<number> {
    let ran = 0;
    for (let round = 0; round < maxRounds; round++) {
      const now = this.clock();
      const claim = {
        owner: this.claims.owner,
        until: new Date(now.getTime() + this.claims.lockMilliseconds).toISOString(),
        types: [...this.handlers.keys()],
      };
      const due = await this.store.claimDueJobs(now.toISOString(), batchSize, claim);
      if (due.length === 0) break;
      for (const job of due) if (await this.runJob(job)) ran += 1;
    }
    return ran;
  }

  private async runJob(job: JobRecord): Promise<boolean> {
    if (job.kind === 'timer') {
      return this.steps.run([{ kind: 'job', id: job.id }], (execution) => commands.fireTimerJob(execution, job.id),
        job.elementInstanceId ? { scopesOf: job.elementInstanceId } : {});
    }
    const handler = job.type ? this.handlers.get(job.type) : undefined;
    if (!handler || !job.elementInstanceId) return false;
    const scopeId = job.elementInstanceId;
    const variables = await this.steps.read([], (execution) => visibleVariables(execution, scopeId), { scopesOf: scopeId });
    await this.finish(job, await this.call(handler, job, variables));
    return true;
  }

  private async call(handler: ServiceHandler, job: JobRecord, variables: Variables): Promise<Outcome> {
    try {
      const output = await handler({
        id: job.id, type: job.type ?? '', instanceId: job.instanceId ?? '', elementId: job.elementId,
        elementInstanceId: job.elementInstanceId ?? '', variables, customHeaders: job.customHeaders ?? {}, retries: job.retries,
      });
      if (output !== undefined && (output === null || typeof output !== 'object' || Array.isArray(output))) {
        return { kind: 'failed', message: 'the handler returned something other than an object of variables' };
      }
      const unstorable = unstorableResult(output);
      if (unstorable) return unstorable;
      return { kind: 'completed', variables: JSON.parse(JSON.stringify(output ?? {})) as Variables };
    } catch (error) {
      if (error instanceof BpmnError) return unstorableResult(error.variables) ?? { kind: 'bpmnError', error };
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }

  private async finish(job: JobRecord, outcome: Outcome): Promise<void> {
    const options = { scopesOf: job.elementInstanceId ?? '' };
    const preload = [{ kind: 'job' as const, id: job.id }];
    if (outcome.kind === 'completed') {
      await this.steps.run(preload, (execution) => commands.completeJob(execution, job.id, outcome.variables), options);
    } else if (outcome.kind === 'bpmnError') {
      const { code, message, variables } = outcome.error;
      await this.steps.run(preload, (execution) => commands.throwJobError(execution, job.id, code, message, variables), options);
    } else {
      await this.steps.run(preload, (execution) => commands.failJob(execution, job.id, outcome.message, this.backoff), options);
    }
  }
}

/**
 * A result the store could not keep as given fails the job like a handler
 * that threw: it is retried and then raises an incident, instead of failing
 * at the database on every try with nothing to show for it.
 */
function unstorableResult(variables: unknown): Outcome | undefined {
  const problems = variableValueProblems(variables ?? {});
  if (problems.length === 0) return undefined;
  return { kind: 'failed', message: `the handler returned variables that cannot be stored: ${describeValueProblems(problems)}` };
}

type Outcome =
  | { kind: 'completed'; variables: Variables }
  | { kind: 'bpmnError'; error: BpmnError }
  | { kind: 'failed'; message: string };
