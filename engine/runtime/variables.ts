/**
 * Variables in scopes: lookup walks from a scope up to the process; writes
 * either stay local or propagate to the nearest scope that has the variable,
 * else to the process, the way Zeebe does.
 */
import type { Variables } from '../types.js';
import { evaluateFeel, toPlainValue, type EvaluationOutcome, type Expression } from '../model/feel.js';
import type { Execution } from './Execution.js';
import { ExpressionFailure } from './failures.js';

/** The scope and its ancestors, innermost first. */
export function scopeChain(execution: Execution, scopeId: string): string[] {
  const chain: string[] = [];
  let current: string | null = scopeId;
  while (current) {
    chain.push(current);
    current = execution.state.elementInstance(current)?.scopeId ?? null;
  }
  return chain;
}

export function lookup(execution: Execution, scopeId: string, name: string): { found: boolean; value?: unknown } {
  for (const id of scopeChain(execution, scopeId)) {
    const variable = execution.state.variable(id, name);
    if (variable.found) return variable;
  }
  return { found: false };
}

/** Every variable visible from a scope; inner scopes shadow outer ones. */
export function visibleVariables(execution: Execution, scopeId: string): Variables {
  const chain = scopeChain(execution, scopeId).reverse();
  return Object.assign({}, ...chain.map((id) => execution.state.scopeVariables(id))) as Variables;
}

export function setLocal(execution: Execution, scopeId: string, name: string, value: unknown): void {
  const scope = execution.elementInstance(scopeId);
  execution.state.setVariable(scopeId, scope.instanceId, name, value);
}

/** Writes to the nearest scope, from `scopeId` up, that has the variable; else to the process. */
export function propagate(execution: Execution, scopeId: string, name: string, value: unknown): void {
  const chain = scopeChain(execution, scopeId);
  const target = chain.find((id) => execution.state.variable(id, name).found) ?? chain[chain.length - 1];
  if (target) setLocal(execution, target, name, value);
}

/**
 * Evaluates an expression in a scope; `extra` adds names such as numberOfInstances.
 * As in Zeebe's FEEL, what cannot be evaluated (a variable that does not exist,
 * a comparison of different types …) gives null; the warnings say why, and the
 * callers that need a value of some type turn them into an incident.
 */
export function evaluateExplained(execution: Execution, scopeId: string, expression: Expression, extra: Variables = {}): EvaluationOutcome {
  if (expression.feel === undefined) return { value: expression.text, warnings: [] };
  const direct = expression.path ? readPath(execution, scopeId, expression.path, extra) : undefined;
  if (direct) return { value: toPlainValue(direct.value), warnings: [] };
  const context: Variables = {};
  for (const name of expression.names) {
    if (name in extra) continue;
    const variable = lookup(execution, scopeId, name);
    if (variable.found) context[name] = variable.value;
  }
  return evaluateFeel(expression.feel, { ...context, ...extra }, execution.now);
}

export function evaluate(execution: Execution, scopeId: string, expression: Expression, extra: Variables = {}): unknown {
  return evaluateExplained(execution, scopeId, expression, extra).value;
}

/** A path read without FEEL; undefined when any step is missing, so FEEL explains it. */
function readPath(execution: Execution, scopeId: string, path: string[], extra: Variables): { value: unknown } | undefined {
  const [root, ...rest] = path as [string, ...string[]];
  const start = root in extra ? { found: true, value: extra[root] } : lookup(execution, scopeId, root);
  if (!start.found) return undefined;
  let value = start.value;
  for (const key of rest) {
    if (!isContext(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return { value };
}

function isContext(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function because(warnings: string[]): string {
  return warnings.length > 0 ? ` (${warnings.join('; ')})` : '';
}

type Expected = 'boolean' | 'string' | 'number' | 'list' | 'any';

/** Evaluates and checks the result's type; a mismatch is an incident naming what was expected. */
export function evaluateAs(execution: Execution, scopeId: string, expression: Expression, expected: Expected, what: string, extra: Variables = {}): unknown {
  const { value, warnings } = evaluateExplained(execution, scopeId, expression, extra);
  if (expected === 'any' || matches(value, expected)) return value;
  throw new ExpressionFailure('expression', `${what} '${expression.text}' should give a ${expected}, but gave ${JSON.stringify(value)}${because(warnings)}`);
}

function matches(value: unknown, expected: Expected): boolean {
  if (expected === 'list') return Array.isArray(value);
  return typeof value === expected;
}

/**
 * A string-valued property: FEEL strings and numbers are both accepted. Null
 * means absent, unless the property is required (a message name, a job type …).
 */
export function evaluateText(execution: Execution, scopeId: string, expression: Expression | undefined, what: string, required = false): string | undefined {
  if (!expression) return undefined;
  const { value, warnings } = evaluateExplained(execution, scopeId, expression);
  if (value === null || value === undefined || value === '') {
    if (required) throw new ExpressionFailure('expression', `${what} '${expression.text}' gave no value${because(warnings)}`);
    return undefined;
  }
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new ExpressionFailure('expression', `${what} '${expression.text}' should give a text, but gave ${JSON.stringify(value)}`);
}

/** A list-of-text property such as candidateGroups: a FEEL list, or a comma-separated text. */
export function evaluateTextList(execution: Execution, scopeId: string, expression: Expression | undefined, what: string): string[] {
  if (!expression) return [];
  const value = evaluate(execution, scopeId, expression);
  if (value === null || value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  throw new ExpressionFailure('expression', `${what} '${expression.text}' should give a list of texts, but gave ${JSON.stringify(value)}`);
}
