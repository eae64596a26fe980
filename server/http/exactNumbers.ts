/**
 * Numbers in a JSON body that JavaScript cannot keep as sent. JSON.parse
 * turns 9007199254740993 into 9007199254740992 and 0.12345678901234567891
 * into 0.12345678901234568 without a word, and the changed number would be
 * stored as if it had been sent. A file number or an amount must arrive
 * exactly or be refused, so a body with such a number is refused with 400
 * naming the number and where it stands; a client sends it as text instead.
 *
 * A number is kept when the double it becomes is written with the same
 * digits (0.1 is, 1.50 is as 1.5, 9007199254740993 is not). Any number of
 * at most 15 significant digits is, except far below 1e-300 where doubles
 * hold fewer, so only a body with a run of 16 digits or points, or such an
 * exponent, is read token by token.
 */
import type { Problem } from './validation.js';

const mayHoldInexactNumber = /[\d.]{16,}|[eE]-3\d\d/;
/** A JSON string (skipped whole, escapes included) or a JSON number. */
const token = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** The numbers of a JSON text that would change when parsed, with their positions (from 0, as JSON.parse counts). */
export function inexactNumbers(text: string): Problem[] {
  if (!mayHoldInexactNumber.test(text)) return [];
  const problems: Problem[] = [];
  for (const match of text.matchAll(token)) {
    const [found] = match;
    if (found.startsWith('"') || keptExactly(found)) continue;
    problems.push({ at: 'body', message: `the number ${found} at position ${match.index} cannot be kept exactly (more digits than a number holds); send it as text` });
  }
  return problems;
}

/** Whether the number reads back with the digits sent; one beyond a double's range (1e400) is the variable check's to name. */
function keptExactly(number: string): boolean {
  const value = Number(number);
  return !Number.isFinite(value) || significantDigits(number) === significantDigits(String(value));
}

/** The digits without sign, point, exponent, and leading or trailing zeros: 1.50e3 and 1500 both give 15. */
function significantDigits(number: string): string {
  return number.replace(/[eE].*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
}

/** express.json's `verify`: refuses the body before it is parsed (see bodyParserError in errors.ts). */
export function refuseInexactNumbers(_req: unknown, _res: unknown, body: Buffer): void {
  const problems = inexactNumbers(body.toString('utf8'));
  if (problems.length > 0) throw Object.assign(new Error('the body holds numbers that cannot be kept exactly'), { type: inexactNumberType, problems });
}

/** How body-parser's error for such a body is told apart. */
export const inexactNumberType = 'entity.number.inexact';
