/**
 * What a variable's value may be: JSON, and beyond what JSON says, only what
 * the durable store keeps as it was given. PostgreSQL stores no U+0000 and no
 * unpaired UTF-16 surrogate in text or jsonb; JSON has no Infinity or NaN
 * (JSON.stringify writes null for them); the name `__proto__` is lost when a
 * value is copied into a plain object; and nesting is bounded, deeper than
 * any form or list of records needs and far within what jsonb and this
 * engine's own copies handle. The engine refuses such values where they come
 * in (InvalidArgumentError, or a failed job for a handler's result), so they
 * are neither lost quietly nor left to fail at the database.
 */

/** A place in a value, as a JSON pointer below `root`, and what is wrong there. */
export interface ValueProblem {
  at: string;
  message: string;
}

export const maxNesting = 64;

/** A UTF-16 surrogate without its pair (the `u` flag lets a well-formed pair through as one code point). */
const unpairedSurrogate = /[\uD800-\uDFFF]/u;
const everyUnpairedSurrogate = new RegExp(unpairedSurrogate.source, 'gu');

/**
 * The text with what the store cannot keep (U+0000, unpaired surrogates)
 * replaced by U+FFFD: for what must be recorded even though it was refused,
 * such as the audit entry or the login count of a request naming it.
 */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(everyUnpairedSurrogate, '\uFFFD');
}

function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'the character U+0000 (NUL)';
  if (unpairedSurrogate.test(text)) return 'an unpaired UTF-16 surrogate (\\uD800–\\uDFFF)';
  return undefined;
}

/** Every such problem in `value`, walked without recursion, since the nesting is the sender's to choose. */
export function variableValueProblems(value: unknown, root = ''): ValueProblem[] {
  const problems: ValueProblem[] = [];
  const pending: { item: unknown; at: string; depth: number }[] = [{ item: value, at: root, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { item, at, depth } = next;
    if (typeof item === 'string') {
      const held = unstorableText(item);
      if (held) problems.push({ at, message: `must not contain ${held}` });
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) problems.push({ at, message: 'must be a number within the range of a double' });
    } else if (typeof item === 'object' && item !== null) {
      if (depth === maxNesting) {
        problems.push({ at, message: `must not nest lists and objects more than ${maxNesting} levels deep` });
        continue;
      }
      for (const [key, element] of Object.entries(item)) {
        const pointer = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        const held = unstorableText(key);
        if (held) problems.push({ at: pointer, message: `the name must not contain ${held}` });
        if (key === '__proto__') problems.push({ at: pointer, message: 'the name __proto__ is reserved' });
        pending.push({ item: element, at: pointer, depth: depth + 1 });
      }
    }
  }
  return problems;
}

/** The problems as one sentence, for an error message. */
export function describeValueProblems(problems: ValueProblem[]): string {
  return problems.map((problem) => `${problem.at || '(the value)'} ${problem.message}`).join('; ');
}
