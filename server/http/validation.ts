/**
 * Request validation with ajv against the very schemas the OpenAPI document
 * shows. Path and query parameters arrive as text and are coerced to their
 * declared types; bodies are checked as sent.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { invalidRequest } from './errors.js';
import { variableValueProblems } from '../../engine/index.js';

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
    // ajv coerces path and query text in place ('Infinity' becomes a number), so the value is walked after it.
    const schemaProblems = validate(value) ? [] : problemsOf(part, validate.errors ?? []);
    // What the engine would refuse in variables is refused anywhere in a request: none of it could be stored.
    const problems = [...variableValueProblems(value, part), ...schemaProblems];
    if (problems.length === 0) return value;
    throw invalidRequest(part, problems);
  };
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
