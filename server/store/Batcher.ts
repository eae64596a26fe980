/**
 * Group commit: requests that arrive while the database is busy with earlier
 * ones wait, and go together as one call when a slot frees up. A request
 * that finds nothing in flight goes at once, so a lone caller waits for
 * nothing; under load, one round trip, one function call and one transaction
 * serve many steps, which is most of what a step costs the database.
 */
import { performance } from 'node:perf_hooks';

export interface BatcherOptions<Item> {
  /** Calls running at once; more requests than that wait and are batched. */
  maxInFlight: number;
  /** Requests in one call at most. */
  maxBatch: number;
  /** Whether `item` may go in the same call as `batch` (default: always); one that may not waits for a later call, keeping its place. */
  fits?: (batch: readonly Item[], item: Item) => boolean;
  /** Milliseconds on a steady clock, for the totals (default performance.now). */
  now?: () => number;
}

/**
 * What a batcher has done so far. With maxInFlight calls that take turns on
 * one connection, a busy time close to the whole time means that connection
 * bounds the rate, whatever the cores have left.
 */
export interface BatchTotals {
  calls: number;
  /** Requests sent in those calls. */
  requests: number;
  /** Time during which at least one call was in flight, ms. */
  busyMilliseconds: number;
}

interface Waiting<Item, Answer> {
  item: Item;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

/** What a call gave each request of its batch, in order. */
export type Outcome<Answer> = { ok: true; answer: Answer } | { ok: false; error: unknown };

export class Batcher<Item, Answer> {
  private readonly queue: Waiting<Item, Answer>[] = [];
  private inFlight = 0;
  private sendAtTurnEnd = false;
  private readonly now: () => number;
  private readonly totals: BatchTotals = { calls: 0, requests: 0, busyMilliseconds: 0 };
  /** When the current busy stretch began (a call went out with none in flight). */
  private busySince = 0;

  /** `send` answers every request of a batch, in order; an error it throws is every request's answer. */
  constructor(
    private readonly send: (items: Item[]) => Promise<Outcome<Answer>[]>,
    private readonly options: BatcherOptions<Item>,
  ) {
    // Zero would send nothing ever (or empty batches forever): every step would hang.
    if (!(options.maxInFlight >= 1 && options.maxBatch >= 1)) {
      throw new RangeError(`a batcher needs maxInFlight and maxBatch of at least 1, not ${options.maxInFlight} and ${options.maxBatch}`);
    }
    this.now = options.now ?? (() => performance.now());
  }

  /** The totals so far, a busy stretch still running counted up to now. */
  totalsSoFar(): BatchTotals {
    const running = this.inFlight > 0 ? this.now() - this.busySince : 0;
    return { ...this.totals, busyMilliseconds: this.totals.busyMilliseconds + running };
  }

  submit(item: Item): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /**
   * With nothing in flight, what waits goes at once. With a call in flight
   * and a slot free (maxInFlight above 1), the next call waits for the end of
   * the event loop's turn: the callers whom the last answers resumed submit
   * their next requests within it, and those go along instead of trailing
   * behind in calls of one or two. Measured with 8 clients on PostgreSQL
   * (two commit calls pipelined), that raised the steps per call from 2.6
   * to 3.3, took 12% off the database's CPU time per instance, and gave
   * 753–774 instead of 690–712 instances/s, alternated run by run.
   */
  private pump(): void {
    if (this.inFlight === 0) {
      this.sendWhatWaits();
    } else if (!this.sendAtTurnEnd && this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      this.sendAtTurnEnd = true;
      setImmediate(() => {
        this.sendAtTurnEnd = false;
        this.sendWhatWaits();
      });
    }
  }

  private sendWhatWaits(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (this.inFlight === 0) this.busySince = this.now();
      this.inFlight += 1;
      this.totals.calls += 1;
      this.totals.requests += batch.length;
      void this.run(batch);
    }
  }

  /**
   * Frees this call's slot and, when it was the only call in flight, sends
   * what waits before the answers go out: the callers resume with work of
   * their own that holds the event loop, and the database can meanwhile be
   * at the next call. (With another call in flight the database is busy
   * with that one; see pump.)
   */
  private sendNext(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.totals.busyMilliseconds += this.now() - this.busySince;
    this.pump();
  }

  /** The first waiting request and those behind it that fit with it, up to maxBatch; the others keep their places. */
  private takeBatch(): Waiting<Item, Answer>[] {
    const batch: Waiting<Item, Answer>[] = [];
    const items: Item[] = [];
    for (let index = 0; index < this.queue.length && batch.length < this.options.maxBatch;) {
      const waiting = this.queue[index]!;
      if (batch.length > 0 && this.options.fits && !this.options.fits(items, waiting.item)) {
        index += 1;
        continue;
      }
      batch.push(waiting);
      items.push(waiting.item);
      this.queue.splice(index, 1);
    }
    return batch;
  }

  private async run(batch: Waiting<Item, Answer>[]): Promise<void> {
    let outcomes: Outcome<Answer>[];
    try {
      outcomes = await this.send(batch.map((waiting) => waiting.item));
    } catch (error) {
      this.sendNext();
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    this.sendNext();
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) waiting.resolve(outcome.answer);
      else waiting.reject(outcome ? outcome.error : new Error('the batch gave no answer for this request'));
    });
  }
}
