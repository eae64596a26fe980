import { expect } from 'chai';
import {
  firstDueDate,
  nextDueDate,
  parseTimer,
  TimerExpressionError,
  type TimerKind,
  type TimerSchedule,
} from '../../../engine/model/timer.js';

const at = (iso: string): Date => new Date(iso);
const iso = (date: Date | undefined): string | undefined => date?.toISOString();

function expectError(kind: TimerKind, text: string, message: RegExp): void {
  expect(() => parseTimer(kind, text)).to.throw(TimerExpressionError, message);
}

/** The due dates of the first `count` firings, or fewer if the timer stops. */
function firings(schedule: TimerSchedule, now: Date, count: number): string[] {
  const dates: string[] = [];
  let due: Date | undefined = firstDueDate(schedule, now);
  while (due && dates.length < count) {
    dates.push(due.toISOString());
    due = nextDueDate(schedule, due, dates.length);
  }
  return dates;
}

describe('timer', () => {
  describe('timeDate', () => {
    it('normalises an instant with Z or an offset to UTC', () => {
      expect(parseTimer('timeDate', '2026-03-01T08:00:00Z')).to.deep.equal({ kind: 'date', at: '2026-03-01T08:00:00.000Z' });
      expect(parseTimer('timeDate', '2026-03-01T08:00:00+01:00')).to.deep.equal({ kind: 'date', at: '2026-03-01T07:00:00.000Z' });
    });

    it('reads a date-time without zone as UTC and a plain date as midnight UTC', () => {
      expect(parseTimer('timeDate', '2026-03-01T08:00:00')).to.deep.equal({ kind: 'date', at: '2026-03-01T08:00:00.000Z' });
      expect(parseTimer('timeDate', '2026-03-01')).to.deep.equal({ kind: 'date', at: '2026-03-01T00:00:00.000Z' });
    });

    it('trims whitespace around the text', () => {
      expect(parseTimer('timeDate', '  2026-03-01T08:00:00Z\n')).to.deep.equal({ kind: 'date', at: '2026-03-01T08:00:00.000Z' });
    });

    it('is due at its date, even when that lies before now, and never repeats', () => {
      const schedule = parseTimer('timeDate', '2026-03-01T08:00:00Z');
      expect(iso(firstDueDate(schedule, at('2026-01-01T00:00:00Z')))).to.equal('2026-03-01T08:00:00.000Z');
      expect(iso(firstDueDate(schedule, at('2026-06-01T00:00:00Z')))).to.equal('2026-03-01T08:00:00.000Z');
      expect(nextDueDate(schedule, at('2026-03-01T08:00:00Z'), 1)).to.equal(undefined);
    });

    it('rejects text that is not a calendar date-time', () => {
      expectError('timeDate', 'tomorrow', /'tomorrow' is not an ISO 8601 date-time/);
      expectError('timeDate', '2026-13-01T08:00:00Z', /is not an ISO 8601 date-time/);
      // A bare time would need today's date, i.e. the clock.
      expectError('timeDate', '08:00', /'08:00' is not an ISO 8601 date-time/);
      expectError('timeDate', 'PT5M', /is not an ISO 8601 date-time/);
    });
  });

  describe('timeDuration', () => {
    const now = at('2026-01-01T00:00:00Z');

    it('keeps the duration text', () => {
      expect(parseTimer('timeDuration', ' PT5M ')).to.deep.equal({ kind: 'duration', duration: 'PT5M' });
    });

    it('adds time durations, weeks and mixed durations to now', () => {
      const due = (text: string) => iso(firstDueDate(parseTimer('timeDuration', text), now));
      expect(due('PT5M')).to.equal('2026-01-01T00:05:00.000Z');
      expect(due('PT1.5S')).to.equal('2026-01-01T00:00:01.500Z');
      expect(due('P1D')).to.equal('2026-01-02T00:00:00.000Z');
      expect(due('P2W')).to.equal('2026-01-15T00:00:00.000Z');
      expect(due('P1Y2M3DT4H')).to.equal('2027-03-04T04:00:00.000Z');
    });

    it('allows a zero duration, due at once', () => {
      expect(iso(firstDueDate(parseTimer('timeDuration', 'PT0S'), now))).to.equal('2026-01-01T00:00:00.000Z');
    });

    it('adds months and years on the calendar, not as a fixed number of milliseconds', () => {
      const month = parseTimer('timeDuration', 'P1M');
      expect(iso(firstDueDate(month, at('2026-01-31T12:00:00Z')))).to.equal('2026-02-28T12:00:00.000Z');
      expect(iso(firstDueDate(month, at('2026-03-31T12:00:00Z')))).to.equal('2026-04-30T12:00:00.000Z');
      expect(iso(firstDueDate(month, at('2026-02-01T00:00:00Z')))).to.equal('2026-03-01T00:00:00.000Z');
      expect(iso(firstDueDate(parseTimer('timeDuration', 'P1Y'), at('2024-02-29T00:00:00Z')))).to.equal('2025-02-28T00:00:00.000Z');
    });

    it('never repeats', () => {
      expect(nextDueDate(parseTimer('timeDuration', 'PT5M'), at('2026-01-01T00:05:00Z'), 1)).to.equal(undefined);
    });

    it('accepts lower-case designators, as Zeebe (java.time) does', () => {
      expect(firstDueDate(parseTimer('timeDuration', 'pt30s'), at('2026-01-01T00:00:00Z')).toISOString()).to.equal('2026-01-01T00:00:30.000Z');
    });

    it('rejects malformed and negative durations', () => {
      expectError('timeDuration', 'P1X', /^'P1X' is not an ISO 8601 duration$/);
      expectError('timeDuration', 'P', /'P' is not an ISO 8601 duration/);
      expectError('timeDuration', 'P1DT', /'P1DT' is not an ISO 8601 duration/);
      expectError('timeDuration', 'tomorrow', /'tomorrow' is not an ISO 8601 duration/);
      expectError('timeDuration', '-PT5M', /'-PT5M' is a negative duration/);
      expectError('timeDuration', 'PT-5M', /'PT-5M' is a negative duration/);
    });
  });

  describe('timeCycle as ISO 8601 repeating interval', () => {
    const now = at('2026-01-01T00:00:00Z');

    it('reads bounded, unbounded and started cycles', () => {
      expect(parseTimer('timeCycle', 'R5/PT10M')).to.deep.equal({ kind: 'cycle', repetitions: 5, interval: 'PT10M' });
      expect(parseTimer('timeCycle', 'R/PT1H')).to.deep.equal({ kind: 'cycle', repetitions: null, interval: 'PT1H' });
      expect(parseTimer('timeCycle', 'R3/2026-01-01T10:00:00+01:00/P1D')).to.deep.equal({
        kind: 'cycle',
        repetitions: 3,
        start: '2026-01-01T09:00:00.000Z',
        interval: 'P1D',
      });
    });

    it('fires R3 three times in all, one interval apart', () => {
      const schedule = parseTimer('timeCycle', 'R3/PT10M');
      expect(firings(schedule, now, 10)).to.deep.equal([
        '2026-01-01T00:10:00.000Z',
        '2026-01-01T00:20:00.000Z',
        '2026-01-01T00:30:00.000Z',
      ]);
      expect(nextDueDate(schedule, at('2026-01-01T00:30:00Z'), 3)).to.equal(undefined);
    });

    it('keeps firing an unbounded cycle', () => {
      const schedule = parseTimer('timeCycle', 'R/PT1H');
      expect(firings(schedule, now, 3)).to.deep.equal([
        '2026-01-01T01:00:00.000Z',
        '2026-01-01T02:00:00.000Z',
        '2026-01-01T03:00:00.000Z',
      ]);
      expect(iso(nextDueDate(schedule, at('2026-03-01T00:00:00Z'), 10_000))).to.equal('2026-03-01T01:00:00.000Z');
    });

    it('fires first at a start that lies after now', () => {
      const schedule = parseTimer('timeCycle', 'R3/2026-01-01T10:00:00Z/P1D');
      expect(firings(schedule, now, 10)).to.deep.equal([
        '2026-01-01T10:00:00.000Z',
        '2026-01-02T10:00:00.000Z',
        '2026-01-03T10:00:00.000Z',
      ]);
    });

    it('fires first at the next start + k·interval after now when the start has passed', () => {
      const schedule = parseTimer('timeCycle', 'R3/2026-01-01T10:00:00Z/P1D');
      expect(iso(firstDueDate(schedule, at('2026-01-05T12:00:00Z')))).to.equal('2026-01-06T10:00:00.000Z');
      // An occurrence exactly at now has passed as well.
      expect(iso(firstDueDate(schedule, at('2026-01-05T10:00:00Z')))).to.equal('2026-01-06T10:00:00.000Z');
      expect(iso(firstDueDate(schedule, at('2026-01-01T10:00:00Z')))).to.equal('2026-01-02T10:00:00.000Z');
      expect(firings(schedule, at('2026-01-05T12:00:00Z'), 10)).to.have.length(3);
    });

    it('catches up over a long past with fixed and calendar intervals', () => {
      const hourly = parseTimer('timeCycle', 'R/2000-01-01T00:00:00Z/PT1H');
      expect(iso(firstDueDate(hourly, at('2026-03-01T08:30:00Z')))).to.equal('2026-03-01T09:00:00.000Z');
      // start + k·P1M from a 31st lands on the 31st whenever the month has one.
      const monthly = parseTimer('timeCycle', 'R/2020-01-31T00:00:00Z/P1M');
      expect(iso(firstDueDate(monthly, at('2026-03-15T00:00:00Z')))).to.equal('2026-03-31T00:00:00.000Z');
      expect(iso(firstDueDate(monthly, at('2026-02-10T00:00:00Z')))).to.equal('2026-02-28T00:00:00.000Z');
    });

    it('adds calendar months from the last due date', () => {
      const schedule = parseTimer('timeCycle', 'R/P1M');
      expect(firings(schedule, at('2026-01-15T09:00:00Z'), 3)).to.deep.equal([
        '2026-02-15T09:00:00.000Z',
        '2026-03-15T09:00:00.000Z',
        '2026-04-15T09:00:00.000Z',
      ]);
    });

    it('rejects bad repetition counts, intervals and starts', () => {
      expectError('timeCycle', 'R-1/PT1M', /'R-1\/PT1M' has an invalid repetition count '-1'/);
      expectError('timeCycle', 'R0/PT1M', /invalid repetition count '0'/);
      expectError('timeCycle', 'Rx/PT1M', /invalid repetition count 'x'/);
      expectError('timeCycle', 'R5/P1X', /'P1X' is not an ISO 8601 duration/);
      expectError('timeCycle', 'R/PT0S', /interval must be longer than zero/);
      expectError('timeCycle', 'R3/tomorrow/P1D', /'tomorrow' is not an ISO 8601 date-time/);
      expectError('timeCycle', 'R3/2026-01-01T10:00:00Z/P1D/P2D', /too many parts/);
    });
  });

  describe('timeCycle as cron expression', () => {
    it('reads 5- and 6-field expressions', () => {
      expect(parseTimer('timeCycle', ' 0 0 9 * * MON ')).to.deep.equal({ kind: 'cron', expression: '0 0 9 * * MON' });
      expect(parseTimer('timeCycle', '0 9 * * *')).to.deep.equal({ kind: 'cron', expression: '0 9 * * *' });
    });

    it('fires at the next occurrence after now, in UTC', () => {
      // 2026-01-01 is a Thursday.
      const mondays = parseTimer('timeCycle', '0 0 9 * * MON');
      expect(firings(mondays, at('2026-01-01T00:00:00Z'), 3)).to.deep.equal([
        '2026-01-05T09:00:00.000Z',
        '2026-01-12T09:00:00.000Z',
        '2026-01-19T09:00:00.000Z',
      ]);
      const daily = parseTimer('timeCycle', '0 9 * * *');
      expect(iso(firstDueDate(daily, at('2026-01-01T08:59:59.500Z')))).to.equal('2026-01-01T09:00:00.000Z');
      expect(iso(firstDueDate(daily, at('2026-01-01T09:00:00Z')))).to.equal('2026-01-02T09:00:00.000Z');
    });

    it('never runs out of repetitions', () => {
      const schedule = parseTimer('timeCycle', '*/15 * * * *');
      expect(iso(nextDueDate(schedule, at('2026-01-01T00:15:00Z'), 1_000_000))).to.equal('2026-01-01T00:30:00.000Z');
    });

    it('rejects malformed expressions', () => {
      expectError('timeCycle', '61 * * * *', /'61 \* \* \* \*' is not a valid cron expression/);
      expectError('timeCycle', 'every day at nine am', /is not a valid cron expression/);
      expectError('timeCycle', 'bad cron', /'bad cron' is neither an ISO 8601 repeating interval .* nor a cron expression/);
      expectError('timeCycle', '* * * * * * *', /neither an ISO 8601 repeating interval/);
      expectError('timeCycle', 'tomorrow', /'tomorrow' is neither an ISO 8601 repeating interval/);
    });
  });

  describe('any kind', () => {
    const kinds: TimerKind[] = ['timeDate', 'timeDuration', 'timeCycle'];

    it('rejects empty text', () => {
      for (const kind of kinds) {
        expectError(kind, '', new RegExp(`The ${kind} of a timer is empty`));
        expectError(kind, '  \n', /is empty/);
      }
    });

    it('leaves FEEL expressions to the caller', () => {
      for (const kind of kinds) expectError(kind, '=foo', /'=foo' is a FEEL expression; evaluate it before/);
      expectError('timeDuration', ' = duration("PT5M")', /is a FEEL expression/);
    });

    it('throws errors that keep the text and carry their own name', () => {
      try {
        parseTimer('timeDuration', 'P1X');
        expect.fail('parseTimer should have thrown');
      } catch (error) {
        expect(error).to.be.instanceOf(TimerExpressionError);
        expect(error).to.be.instanceOf(Error);
        expect((error as TimerExpressionError).name).to.equal('TimerExpressionError');
        expect((error as TimerExpressionError).text).to.equal('P1X');
      }
    });
  });
});
