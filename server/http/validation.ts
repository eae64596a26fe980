/**
 * Request validation with ajv against the very schemas the OpenAPI document
 * shows. Path and query parameters arrive as text and are coerced to their
 * declared types; bodies are checked as sent.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { HttpError } from './errors.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, strict: true, strictTypes: false });
  addFormats(ajv);
  refuseYearZero(ajv);
  return ajv;
}

/** RFC 3339 allows the year 0000, which PostgreSQL's timestamps do not have (their year before 1 AD is 1 BC). */
function refuseYearZero(ajv: Ajv): void {
  const format = ajv.formats['date-time'] as { validate: (text: string) => boolean; compare?: (one: string, other: string) => number | undefined };
  ajv.addFormat('date-time', { ...format, validate: (text: string) => !text.startsWith('0000') && format.validate(text) });
}

const textInput = newAjv(true);
const jsonInput = newAjv(false);

export type Part = 'path' | 'query' | 'body';

export interface Validator {
  /** Returns the input, coerced and with defaults, or throws 400 listing every problem. */
  (value: unknown): unknown;
}

export function compileValidator(schema: TSchema, part: Part): Validator {
  const validate: ValidateFunction = (part === 'body' ? jsonInput : textInput).compile(schema);
  return (value) => {
    const problems = [...unstorable(part, value), ...(validate(value) ? [] : problemsOf(part, validate.errors ?? []))];
    if (problems.length === 0) return value;
    throw new HttpError(400, 'validation_failed', `the request ${part === 'path' ? 'path' : part} is not valid`, { problems });
  };
}

/** Deeper than any form or list of records needs, and far within what the engine and jsonb handle. */
export const maxNesting = 64;

/** A UTF-16 surrogate without its pair (the `u` flag lets a well-formed pair through as one code point). */
const unpairedSurrogate = /[\uD800-\uDFFF]/u;

/** What a text or a name must not hold: PostgreSQL stores neither in text nor jsonb. */
function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'the character U+0000 (NUL)';
  if (unpairedSurrogate.test(text)) return 'an unpaired UTF-16 surrogate (\\uD800–\\uDFFF)';
  return undefined;
}

/**
 * What no schema can say of free-form values (variables) and would be lost
 * or refused by the database however valid it looks: text that PostgreSQL
 * cannot store (unstorableText), a number JSON cannot hold (1e400 parses as
 * Infinity and would be stored as null), the name `__proto__` (dropped when
 * the value is copied), and nesting deeper than maxNesting. Walked without
 * recursion, since the nesting is the sender's to choose.
 */
function unstorable(part: Part, value: unknown): Problem[] {
  const problems: Problem[] = [];
  const pending: { item: unknown; at: string; depth: number }[] = [{ item: value, at: part, depth: 0 }];
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

export interface Problem {
  /** Where, as a JSON pointer into the part (e.g. body/variables/amount). */
  at: string;
  message: string;
}

function problemsOf(part: Part, errors: ErrorObject[]): Problem[] {
  return errors.map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` '${String((error.params as { additionalProperty?: unknown }).additionalProperty)}'` : '';
    return { at: `${part}${error.instancePath}`, message: `${error.message ?? 'is not valid'}${extra}` };
  });
}

/** Checks a value against a schema built at run time (a user task's form); the problems, or none. */
export function checkAgainst(schema: object, value: unknown): Problem[] {
  const validate = jsonInput.compile(schema);
  return validate(value) ? [] : problemsOf('body', validate.errors ?? []);
}
