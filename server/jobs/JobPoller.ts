/**
 * Drives the engine's due jobs: every poll claims what is due (see
 * KnexStore.claimDueJobs for how servers share the table) and runs it. Polls
 * never overlap; a failed poll (the database is away, say) is logged and
 * counted, and the next one simply tries again, since everything a job needs
 * is in the database and nothing is held in memory between polls.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Engine } from '../../engine/index.js';
import type { JobSettings } from '../config.js';

export interface PollerStatus {
  running: boolean;
  /** Whether the last poll reached the database and finished. */
  healthy: boolean;
  lastError?: string;
  jobsRun: number;
  failedPolls: number;
}

export class JobPoller {
  private timer: NodeJS.Timeout | undefined;
  private task: ScheduledTask | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = true;
  private readonly status: PollerStatus = { running: false, healthy: true, jobsRun: 0, failedPolls: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly settings: Pick<JobSettings, 'pollMilliseconds' | 'cron'>,
    private readonly log?: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.status.running = true;
    if (this.settings.cron) {
      this.task = cron.schedule(this.settings.cron, () => { void this.poll(); });
    } else {
      void this.loop();
    }
  }

  /** Stops claiming jobs and waits for the poll in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.status.running = false;
    clearTimeout(this.timer);
    await this.task?.stop();
    await this.inFlight;
  }

  /** Runs one poll now (unless one is already running) and resolves when it is done. */
  poll(): Promise<void> {
    this.inFlight ??= this.runDue().finally(() => { this.inFlight = undefined; });
    return this.inFlight;
  }

  get state(): PollerStatus {
    return { ...this.status };
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.poll();
    if (!this.stopped) this.timer = setTimeout(() => { void this.loop(); }, this.settings.pollMilliseconds);
  }

  private async runDue(): Promise<void> {
    try {
      const ran = await this.engine.runDueJobs();
      this.status.jobsRun += ran;
      this.status.healthy = true;
      delete this.status.lastError;
      if (ran > 0) this.log?.debug({ ran }, 'ran due jobs');
    } catch (error) {
      this.status.healthy = false;
      this.status.failedPolls += 1;
      this.status.lastError = error instanceof Error ? error.message : String(error);
      this.log?.error({ err: error }, 'polling for due jobs failed; trying again at the next poll');
    }
  }
}
