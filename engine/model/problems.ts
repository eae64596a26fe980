/** Collects every deployment problem instead of stopping at the first. */
import type { DeploymentProblem } from '../errors.js';
import { readExpression, type Expression } from './feel.js';

export class Problems {
  readonly list: DeploymentProblem[] = [];

  add(elementId: string, message: string): void {
    this.list.push({ elementId, message });
  }

  /** Reads an attribute as an expression; a FEEL syntax error names the attribute. */
  expression(text: string, elementId: string, attribute: string): Expression {
    const { expression, problem } = readExpression(text);
    if (problem) this.add(elementId, `${attribute}: ${problem}`);
    return expression;
  }

  optionalExpression(text: string | undefined, elementId: string, attribute: string): Expression | undefined {
    return text === undefined || text.trim() === '' ? undefined : this.expression(text, elementId, attribute);
  }
}
