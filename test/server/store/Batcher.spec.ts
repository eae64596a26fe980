/**
 * The Batcher on its own, with a `send` the test answers by hand: every call
 * waits until the test resolves it, so which requests go together is decided
 * by the order of submissions and answers alone, never by timing.
 */
import { expect } from 'chai';
import { Batcher, type BatcherOptions, type Outcome } from '../../../server/store/Batcher.js';
import { deferred, type Deferred } from '../../support/deferred.js';


/** One call of `send`: the items it got and the answer the test gives it. */
interface Call {
  items: string[];
  answer: Deferred<Outcome<string>[]>;
  answered: boolean;
}

/** A `send` that records its calls and answers each only when the test says so. */
class ScriptedSend {
  readonly calls: Call[] = [];

  readonly send = (items: string[]): Promise<Outcome<string>[]> => {
    const answer = deferred<Outcome<string>[]>();
    this.calls.push({ items, answer, answered: false });
    return answer.promise;
  };

  /** The items of every call so far, in call order. */
  get batches(): string[][] {
    return this.calls.map((call) => call.items);
  }

  get running(): number {
    return this.calls.filter((call) => !call.answered).length;
  }

  /** Answers call `index` with an upper-cased echo of each item. */
  succeed(index: number): void {
    const call = this.call(index);
    call.answer.resolve(call.items.map((item) => ({ ok: true, answer: item.toUpperCase() })));
  }

  answer(index: number, outcomes: Outcome<string>[]): void {
    this.call(index).answer.resolve(outcomes);
  }

  fail(index: number, error: unknown): void {
    this.call(index).answer.reject(error);
  }

  private call(index: number): Call {
    const call = this.calls[index];
    if (!call) throw new Error(`send was not called ${index + 1} times`);
    if (call.answered) throw new Error(`call ${index} was answered already`);
    call.answered = true;
    return call;
  }
}

/**
 * Lets every pending promise callback run, and then what the Batcher left for
 * the end of that turn of the event loop (a call pipelined behind another,
 * see Batcher.pump). Besides that, the Batcher and the scripted send only
 * chain promises, so two turns later all that follows from an answer has
 * happened.
 */
async function settled(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/** What became of a submitted request, readable without awaiting it. */
class Tracked {
  value: string | undefined;
  error: unknown;
  done = false;

  constructor(promise: Promise<string>) {
    promise.then(
      (value) => { this.value = value; this.done = true; },
      (error: unknown) => { this.error = error; this.done = true; },
    );
  }
}

interface SetUp {
  send: ScriptedSend;
  submit: (...items: string[]) => Tracked[];
  batcher: Batcher<string, string>;
}

function setUp(options: Partial<BatcherOptions<string>> = {}): SetUp {
  const send = new ScriptedSend();
  const batcher = new Batcher<string, string>(send.send, { maxInFlight: 1, maxBatch: 100, ...options });
  return { send, batcher, submit: (...items) => items.map((item) => new Tracked(batcher.submit(item))) };
}

describe('Batcher', () => {
  it('sends a lone request at once, alone, and hands it its answer', async () => {
    const { send, submit } = setUp();
    const [lone] = submit('a');
    expect(send.batches).to.deep.equal([['a']]);
    send.succeed(0);
    await settled();
    expect(lone).to.include({ done: true, value: 'A' });
  });

  it('sends requests that arrive while a call runs together in one later call, in their order', async () => {
    const { send, submit } = setUp();
    submit('a');
    const waiting = submit('b', 'c', 'd');
    await settled();
    expect(send.batches).to.deep.equal([['a']]);
    expect(waiting.some((request) => request.done)).to.equal(false);

    send.succeed(0);
    await settled();
    expect(send.batches).to.deep.equal([['a'], ['b', 'c', 'd']]);
    send.succeed(1);
    await settled();
    expect(waiting.map((request) => request.value)).to.deep.equal(['B', 'C', 'D']);
  });

  it('sends what waits before it hands out the answers of the call that ended, also of one that failed', async () => {
    const send = new ScriptedSend();
    const batcher = new Batcher<string, string>(send.send, { maxInFlight: 1, maxBatch: 1 });
    const callsWhenAnswered: number[] = [];
    const note = () => { callsWhenAnswered.push(send.calls.length); };
    batcher.submit('a').then(note, note);
    batcher.submit('b').then(note, note);
    batcher.submit('c');
    send.succeed(0);
    await settled();
    send.fail(1, new Error('the database went away'));
    await settled();
    // The callers resume with work of their own; by then the database has the next call.
    expect(callsWhenAnswered).to.deep.equal([2, 3]);
  });

  it('sends a request at once again when the calls before it are done', async () => {
    const { send, submit } = setUp();
    submit('a');
    send.succeed(0);
    await settled();
    submit('b');
    expect(send.batches).to.deep.equal([['a'], ['b']]);
  });

  it('puts no more than maxBatch requests in one call; the rest go in the next ones, in order', async () => {
    const { send, submit } = setUp({ maxBatch: 2 });
    submit('a', 'b', 'c', 'd', 'e', 'f');
    for (let index = 0; index < 4; index++) {
      send.succeed(index);
      await settled();
    }
    expect(send.batches).to.deep.equal([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
  });

  it('runs maxInFlight calls at once and no more', async () => {
    const { send, submit } = setUp({ maxInFlight: 2, maxBatch: 1 });
    submit('a', 'b', 'c', 'd');
    await settled();
    expect(send.batches).to.deep.equal([['a'], ['b']]);

    send.succeed(1);
    await settled();
    expect(send.batches).to.deep.equal([['a'], ['b'], ['c']]);
    expect(send.running).to.equal(2);

    submit('e');
    await settled();
    expect(send.calls).to.have.length(3);
    send.succeed(0);
    await settled();
    expect(send.batches.slice(3)).to.deep.equal([['d']]);
    expect(send.running).to.equal(2);
  });

  describe('with a call in flight and a slot free', () => {
    it('gathers the requests of the whole turn of the event loop into the next call', async () => {
      const { send, submit } = setUp({ maxInFlight: 2 });
      submit('a');
      submit('b');
      expect(send.batches).to.deep.equal([['a']]);
      submit('c');
      await settled();
      expect(send.batches).to.deep.equal([['a'], ['b', 'c']]);
    });

    it('sends what waited together with what the callers of the answered call submit next', async () => {
      const send = new ScriptedSend();
      const batcher = new Batcher<string, string>(send.send, { maxInFlight: 2, maxBatch: 100 });
      void batcher.submit('a').then(() => batcher.submit('a2'));
      await settled();
      void batcher.submit('b');
      await settled();
      void batcher.submit('c');
      await settled();
      expect(send.batches).to.deep.equal([['a'], ['b']]);

      send.succeed(0);
      await settled();
      expect(send.batches).to.deep.equal([['a'], ['b'], ['c', 'a2']]);
    });

    it('sends at once again when the last call in flight ends', async () => {
      const { send, submit } = setUp({ maxInFlight: 2, maxBatch: 1 });
      submit('a', 'b', 'c');
      await settled();
      send.succeed(0);
      send.succeed(1);
      await settled();
      expect(send.batches).to.deep.equal([['a'], ['b'], ['c']]);
      send.succeed(2);
      await settled();
      submit('d');
      expect(send.batches.slice(3)).to.deep.equal([['d']]);
    });
  });

  describe('with fits', () => {
    /** Requests of one letter may not go together (as change sets that touch the same row). */
    const sameLetterApart = (batch: readonly string[], item: string): boolean => batch.every((other) => other[0] !== item[0]);

    it('leaves a request that does not fit for a later call, where it goes before those that came after it', async () => {
      const { send, submit } = setUp({ fits: sameLetterApart });
      const requests = submit('a0', 'x1', 'x2', 'y1', 'x3');
      send.succeed(0);
      await settled();
      expect(send.batches[1]).to.deep.equal(['x1', 'y1']);

      requests.push(...submit('z1'));
      send.succeed(1);
      await settled();
      expect(send.batches[2]).to.deep.equal(['x2', 'z1']);
      send.succeed(2);
      await settled();
      expect(send.batches[3]).to.deep.equal(['x3']);
      send.succeed(3);
      await settled();
      expect(requests.map((request) => request.value)).to.deep.equal(['A0', 'X1', 'X2', 'Y1', 'X3', 'Z1']);
    });

    it('asks about each request against the batch gathered so far, and never about the first one', async () => {
      const questions: { batch: string[]; item: string }[] = [];
      const { send, submit } = setUp({
        fits: (batch, item) => {
          questions.push({ batch: [...batch], item });
          return sameLetterApart(batch, item);
        },
      });
      submit('a0');
      expect(questions).to.deep.equal([]);
      submit('x1', 'x2', 'y1');
      send.succeed(0);
      await settled();
      expect(questions).to.deep.equal([
        { batch: ['x1'], item: 'x2' },
        { batch: ['x1'], item: 'y1' },
      ]);
    });

    it('counts towards maxBatch only the requests that fit', async () => {
      const { send, submit } = setUp({ fits: sameLetterApart, maxBatch: 2 });
      submit('a0', 'x1', 'x2', 'y1', 'z1');
      send.succeed(0);
      await settled();
      expect(send.batches[1]).to.deep.equal(['x1', 'y1']);
      send.succeed(1);
      await settled();
      expect(send.batches[2]).to.deep.equal(['x2', 'z1']);
    });
  });

  it('gives each request of a batch its own outcome, an answer or an error', async () => {
    const { send, submit } = setUp();
    submit('a');
    const [b, c, d] = submit('b', 'c', 'd') as [Tracked, Tracked, Tracked];
    send.succeed(0);
    await settled();
    const refused = new Error('c was refused');
    send.answer(1, [{ ok: true, answer: 'answer to b' }, { ok: false, error: refused }, { ok: true, answer: 'answer to d' }]);
    await settled();
    expect(b).to.include({ done: true, value: 'answer to b' });
    expect(c).to.include({ done: true, error: refused });
    expect(c.value).to.equal(undefined);
    expect(d).to.include({ done: true, value: 'answer to d' });
  });

  it('rejects a request that the call left without an outcome', async () => {
    const { send, submit } = setUp();
    submit('a');
    const [b, c] = submit('b', 'c') as [Tracked, Tracked];
    send.succeed(0);
    await settled();
    send.answer(1, [{ ok: true, answer: 'answer to b' }]);
    await settled();
    expect(b.value).to.equal('answer to b');
    expect(c.done).to.equal(true);
    expect(c.error).to.be.instanceOf(Error);
  });

  it('rejects every request of a batch whose call threw, with that error, and still runs the later batches', async () => {
    const { send, submit } = setUp();
    const [a] = submit('a');
    const failed = submit('b', 'c');
    send.succeed(0);
    await settled();
    const later = submit('d', 'e');
    const databaseAway = new Error('the database is away');
    send.fail(1, databaseAway);
    await settled();
    expect(a!.value).to.equal('A');
    expect(failed.map((request) => request.error)).to.deep.equal([databaseAway, databaseAway]);
    expect(send.batches[2]).to.deep.equal(['d', 'e']);
    send.succeed(2);
    await settled();
    expect(later.map((request) => request.value)).to.deep.equal(['D', 'E']);
  });

  it('treats a send that throws before returning a promise like one whose promise rejects', async () => {
    const broken = new Error('send broke');
    let calls = 0;
    const batcher = new Batcher<string, string>((items) => {
      calls += 1;
      if (calls === 1) throw broken;
      return Promise.resolve(items.map((item) => ({ ok: true as const, answer: item })));
    }, { maxInFlight: 1, maxBatch: 10 });
    const first = new Tracked(batcher.submit('a'));
    const second = new Tracked(batcher.submit('b'));
    await settled();
    expect(first.error).to.equal(broken);
    expect(second.value).to.equal('b');
  });
  describe('totals', () => {
    /** A clock the test sets by hand. */
    const clock = (): { now: () => number; at: (ms: number) => void } => {
      let time = 0;
      return { now: () => time, at: (ms) => { time = ms; } };
    };

    it('counts the calls and the requests they carried', async () => {
      const { send, submit, batcher } = setUp({ maxBatch: 2 });
      submit('a');
      submit('b', 'c', 'd');
      send.succeed(0);
      await settled();
      send.succeed(1);
      await settled();
      send.succeed(2);
      await settled();
      expect(send.batches).to.deep.equal([['a'], ['b', 'c'], ['d']]);
      expect(batcher.totalsSoFar()).to.include({ calls: 3, requests: 4 });
    });

    it('counts as busy the time with a call in flight, a stretch still running up to now, and not the idle time between', async () => {
      const time = clock();
      const { send, submit, batcher } = setUp({ now: time.now });
      submit('a');
      time.at(5);
      send.succeed(0);
      await settled();
      time.at(10);
      submit('b');
      time.at(12);
      expect(batcher.totalsSoFar().busyMilliseconds).to.equal(7);
      time.at(15);
      send.succeed(1);
      await settled();
      time.at(40);
      expect(batcher.totalsSoFar().busyMilliseconds).to.equal(10);
    });

    it('counts calls in flight side by side once', async () => {
      const time = clock();
      const { send, submit, batcher } = setUp({ now: time.now, maxInFlight: 2, maxBatch: 1 });
      submit('a');
      time.at(2);
      submit('b');
      await settled();
      expect(send.running).to.equal(2);
      time.at(4);
      send.succeed(0);
      await settled();
      time.at(9);
      send.succeed(1);
      await settled();
      expect(batcher.totalsSoFar()).to.deep.equal({ calls: 2, requests: 2, busyMilliseconds: 9 });
    });
  });
});
