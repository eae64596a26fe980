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
  return ajv;
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

/**
 * What no schema can say of free-form values (variables) and the database
 * would refuse however valid it looks: a text or key holding U+0000, which
 * PostgreSQL stores in no text or jsonb, and nesting deeper than maxNesting.
 * Walked without recursion, since the nesting is the sender's to choose.
 */
function unstorable(part: Part, value: unknown): Problem[] {
  const problems: Problem[] = [];
  const pending: { item: unknown; at: string; depth: number }[] = [{ item: value, at: part, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { item, at, depth } = next;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) problems.push({ at, message: 'must not contain the character U+0000 (NUL)' });
    } else if (typeof item === 'object' && item !== null) {
      if (depth === maxNesting) {
        problems.push({ at, message: `must not nest lists and objects more than ${maxNesting} levels deep` });
        continue;
      }
      for (const [key, element] of Object.entries(item)) {
        const pointer = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (key.includes('\u0000')) problems.push({ at: pointer, message: 'the name must not contain the character U+0000 (NUL)' });
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
