/** Parses BPMN timer definitions (timeDate, timeDuration, timeCycle) as Camunda 8 writes them and computes their due dates from an injected `now`. */
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { DateTime, Duration } from 'luxon';

export type TimerKind = 'timeDate' | 'timeDuration' | 'timeCycle';

export type TimerSchedule =
  /** `at` is a UTC ISO instant. */
  | { kind: 'date'; at: string }
  /** `duration` is an ISO 8601 duration such as PT5M, P2W, P1Y2M3DT4H. */
  | { kind: 'duration'; duration: string }
  /** `repetitions` null means unbounded (R/…); `start` is a UTC ISO instant. */
  | { kind: 'cycle'; repetitions: number | null; start?: string; interval: string }
  /** A cron expression with 5 or 6 fields, evaluated in UTC. */
  | { kind: 'cron'; expression: string };

/** Thrown when a timer text cannot be read; the message says why. */
export class TimerExpressionError extends Error {
  override readonly name = 'TimerExpressionError';
  constructor(message: string, readonly text: string) {
    super(message);
  }
}

// Stricter than luxon, which accepts 'P', 'P1DT', signs and fractions anywhere. Only seconds may carry a fraction.
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(?:[.,]\d+)?S)?)?$/;
// Luxon would fill in today's date for a bare time ('08:00'), which reads the clock: a calendar date is required.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T.+)?$/;
const REPEATING = /^R([^/]*)\/(.*)$/;
const CRON_MACRO = /^@\w+$/;

/** Reads the text of a timer definition; FEEL expressions ('=…') must be evaluated by the caller first. */
export function parseTimer(kind: TimerKind, text: string): TimerSchedule {
  const trimmed = text.trim();
  if (trimmed === '') throw new TimerExpressionError(`The ${kind} of a timer is empty`, text);
  if (trimmed.startsWith('=')) {
    throw new TimerExpressionError(`'${trimmed}' is a FEEL expression; evaluate it before reading it as a ${kind}`, text);
  }
  switch (kind) {
    case 'timeDate':
      return { kind: 'date', at: isoString(parseInstant(trimmed)) };
    case 'timeDuration':
      parseDuration(trimmed);
      return { kind: 'duration', duration: trimmed };
    case 'timeCycle':
      return parseCycle(trimmed);
  }
}

/** When a timer activated at `now` fires first. A date in the past is returned as is: it is due at once. */
export function firstDueDate(schedule: TimerSchedule, now: Date): Date {
  const from = utc(now);
  switch (schedule.kind) {
    case 'date':
      return utc(schedule.at).toJSDate();
    case 'duration':
      return from.plus(parseDuration(schedule.duration)).toJSDate();
    case 'cycle':
      return firstCycleDue(schedule, from).toJSDate();
    case 'cron':
      return nextCronOccurrence(schedule.expression, now);
  }
}

/** When the timer fires again after its `firedCount`-th firing at `lastDue`; undefined when it will not fire again. */
export function nextDueDate(schedule: TimerSchedule, lastDue: Date, firedCount: number): Date | undefined {
  switch (schedule.kind) {
    case 'date':
    case 'duration':
      return undefined;
    case 'cycle':
      if (schedule.repetitions !== null && firedCount >= schedule.repetitions) return undefined;
      return utc(lastDue).plus(parseDuration(schedule.interval)).toJSDate();
    case 'cron':
      return nextCronOccurrence(schedule.expression, lastDue);
  }
}

function parseCycle(text: string): TimerSchedule {
  const repeating = REPEATING.exec(text);
  if (repeating) return parseRepeatingInterval(text, repeating[1] ?? '', repeating[2] ?? '');
  if (looksLikeCron(text)) return { kind: 'cron', expression: parseCron(text) };
  throw new TimerExpressionError(
    `'${text}' is neither an ISO 8601 repeating interval (R<n>/<duration>, R<n>/<start>/<duration>) nor a cron expression`,
    text,
  );
}

function parseRepeatingInterval(text: string, count: string, rest: string): TimerSchedule {
  const repetitions = parseRepetitions(text, count);
  const parts = rest.split('/');
  if (parts.length > 2) throw new TimerExpressionError(`'${text}' has too many parts; expected R<n>/<duration> or R<n>/<start>/<duration>`, text);
  const interval = parts.at(-1) ?? '';
  const startText = parts.length === 2 ? parts[0] : undefined;
  // A zero interval would fire endlessly at the same instant.
  if (parseDuration(interval).toMillis() === 0) throw new TimerExpressionError(`'${text}' repeats every zero time; the interval must be longer than zero`, text);
  if (startText === undefined) return { kind: 'cycle', repetitions, interval };
  return { kind: 'cycle', repetitions, start: isoString(parseInstant(startText)), interval };
}

function parseRepetitions(text: string, count: string): number | null {
  if (count === '') return null;
  if (!/^\d+$/.test(count) || Number(count) < 1) {
    throw new TimerExpressionError(`'${text}' has an invalid repetition count '${count}'; expected R<n> with n ≥ 1, or R for unbounded`, text);
  }
  return Number(count);
}

function parseDuration(written: string): Duration {
  // Zeebe reads durations with java.time, which accepts lower-case designators (PT30s).
  const text = written.toUpperCase();
  if (text.startsWith('-') || /^P.*-/.test(text)) throw new TimerExpressionError(`'${written}' is a negative duration; a timer cannot wait less than nothing`, written);
  const duration = ISO_DURATION.test(text) ? Duration.fromISO(text.replace(',', '.')) : undefined;
  if (!duration?.isValid) throw new TimerExpressionError(`'${written}' is not an ISO 8601 duration`, written);
  return duration;
}

function parseInstant(text: string): DateTime {
  const instant = ISO_DATE_TIME.test(text) ? utc(text) : undefined;
  if (!instant?.isValid) throw new TimerExpressionError(`'${text}' is not an ISO 8601 date-time (e.g. 2026-03-01T08:00:00Z)`, text);
  return instant;
}

function looksLikeCron(text: string): boolean {
  const fields = text.split(/\s+/).length;
  return CRON_MACRO.test(text) || fields === 5 || fields === 6;
}

function parseCron(text: string): string {
  try {
    cron(text, new Date(0));
  } catch (error) {
    throw new TimerExpressionError(`'${text}' is not a valid cron expression: ${(error as Error).message}`, text);
  }
  return text;
}

/** A start in the future fires at start; otherwise at the first start + k·interval after `now`. Missed occurrences are skipped and do not count as repetitions. */
function firstCycleDue(schedule: Extract<TimerSchedule, { kind: 'cycle' }>, now: DateTime): DateTime {
  const interval = parseDuration(schedule.interval);
  if (schedule.start === undefined) return now.plus(interval);
  const start = utc(schedule.start);
  if (start > now) return start;
  // Calendar units (months, years) have no fixed length: estimate k, then correct it step by step.
  const approxMs = start.plus(interval).toMillis() - start.toMillis();
  let k = Math.max(1, Math.floor((now.toMillis() - start.toMillis()) / approxMs));
  while (k > 1 && repeat(start, interval, k - 1) > now) k--;
  while (repeat(start, interval, k) <= now) k++;
  return repeat(start, interval, k);
}

/** start + k·interval, with calendar arithmetic (Jan 31 + P2M is Mar 31, not Mar 28). */
function repeat(start: DateTime, interval: Duration, k: number): DateTime {
  return start.plus(interval.mapUnits((value) => value * k));
}

function nextCronOccurrence(expression: string, after: Date): Date {
  return cron(expression, after).next().toDate();
}

function cron(expression: string, currentDate: Date): CronExpression {
  // A fixed hash seed keeps 'H' fields deterministic; without it cron-parser picks them at random.
  return CronExpressionParser.parse(expression, { currentDate, tz: 'UTC', hashSeed: expression });
}

function isoString(instant: DateTime): string {
  return instant.toJSDate().toISOString();
}

function utc(value: Date | string): DateTime {
  return typeof value === 'string' ? DateTime.fromISO(value, { zone: 'utc' }) : DateTime.fromJSDate(value, { zone: 'utc' });
}
