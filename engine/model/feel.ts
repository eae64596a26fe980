/**
 * FEEL expressions the Zeebe way: an attribute that starts with '=' is a FEEL
 * expression, any other text is a static value. Models never run JavaScript.
 */
import { evaluate, parseExpression, dateAndTime, date } from 'feelin';
import type { Variables } from '../types.js';

export interface Expression {
  /** The attribute as written in the model. */
  text: string;
  /** The FEEL source without its '='; absent for a static value. */
  feel?: string;
  /** Root variable names the expression reads, so a step can load exactly those. */
  names: string[];
  /**
   * Set when the expression is nothing but a variable or a path into it
   * (`=initiator`, `=folder.owner`): most model expressions are, and reading
   * them directly spares a FEEL parse per evaluation.
   */
  path?: string[];
}

/** A count written without '=' (priority="70", retries="3"): the number it spells, else the text, which is refused. */
export function staticWholeNumber(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

export function isFeel(text: string): boolean {
  return text.trimStart().startsWith('=');
}

/** Reads an attribute; returns the expression or a syntax problem. */
export function readExpression(text: string): { expression: Expression; problem?: string } {
  if (!isFeel(text)) return { expression: { text, names: [] } };
  const feel = escapeLineBreaksInStrings(text.trimStart().slice(1).trim());
  if (feel === '') return { expression: { text, feel, names: [] }, problem: 'the FEEL expression is empty' };
  const { names, errorAt } = scanFeel(feel);
  const expression: Expression = { text, feel, names };
  if (errorAt !== undefined) return { expression, problem: `FEEL syntax error at position ${errorAt + 1} in '${feel}'` };
  const path = simplePath(feel);
  if (path) expression.path = path;
  return { expression };
}

const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words that FEEL reads as something other than a variable, and the functions the engine provides. */
const notVariables = new Set([
  'true', 'false', 'null', 'not', 'if', 'then', 'else', 'for', 'in', 'return', 'some', 'every', 'satisfies',
  'and', 'or', 'between', 'instance', 'of', 'function', 'external', 'now', 'today',
]);

function simplePath(feel: string): string[] | undefined {
  const segments = feel.split('.');
  const simple = segments.every((segment) => plainName.test(segment) && !notVariables.has(segment));
  return simple ? segments : undefined;
}

/**
 * FEEL allows line breaks inside string literals and Zeebe accepts them, but
 * feelin's parser does not; written as escapes they mean the same string.
 */
export function escapeLineBreaksInStrings(feel: string): string {
  if (!/[\r\n]/.test(feel)) return feel;
  let inString = false;
  let result = '';
  for (let i = 0; i < feel.length; i++) {
    const char = feel[i] as string;
    if (inString && char === '\\') {
      result += char + (feel[++i] ?? '');
      continue;
    }
    if (char === '"') inString = !inString;
    result += inString && char === '\n' ? '\\n' : inString && char === '\r' ? '\\r' : char;
  }
  return result;
}

function scanFeel(feel: string): { names: string[]; errorAt?: number } {
  const names = new Set<string>();
  let errorAt: number | undefined;
  const tree = parseExpression(feel, {}, undefined);
  tree.iterate({
    enter(node) {
      if (node.type.isError && errorAt === undefined) errorAt = node.from;
      if (node.name === 'VariableName') names.add(feel.slice(node.from, node.to).trim());
    },
  });
  return { names: [...names], errorAt };
}

export interface EvaluationOutcome {
  value: unknown;
  /** Why the value may be unusable (a variable not found, a type mismatch …). */
  warnings: string[];
}

/**
 * Evaluates a FEEL expression over variables. `now` comes from the engine's
 * injected clock, so FEEL's now() and today() stay deterministic.
 */
export function evaluateFeel(feel: string, variables: Variables, now: Date): EvaluationOutcome {
  const iso = now.toISOString();
  const context = {
    ...variables,
    now: () => dateAndTime(iso),
    today: () => date(iso.slice(0, 10)),
    // Zeebe's FEEL has is defined(); feelin does not, and models use it in conditions.
    'is defined': (value: unknown) => value !== null && value !== undefined,
  };
  try {
    const result = evaluate(feel, context);
    return { value: toPlainValue(result.value), warnings: result.warnings.map((w) => w.message) };
  } catch (error) {
    return { value: null, warnings: [error instanceof Error ? error.message : String(error)] };
  }
}

/** FEEL temporal values and ranges become their JSON form, so variables stay plain JSON. */
export function toPlainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return typeof value === 'function' ? null : value;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
