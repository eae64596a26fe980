/**
 * Conformance corpus (../shared/conformance): every MIWG file is either compiled
 * or refused with a typed DeploymentError, and the Zeebe models mostly deploy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { expect } from 'chai';
import { DeploymentError, Engine, type DeploymentProblem } from '../../../engine/index.js';
import { compileXml } from '../../../engine/model/deploy.js';
import { sharedConformance } from '../../support/scenario.js';

/** Every .bpmn file under a directory, recursively, sorted. */
function bpmnFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.toLowerCase().endsWith('.bpmn'))
    .map((name) => join(directory, name))
    .sort();
}

function isProblem(value: unknown): value is DeploymentProblem {
  if (typeof value !== 'object' || value === null) return false;
  const { elementId, message } = value as Record<string, unknown>;
  return typeof elementId === 'string' && typeof message === 'string';
}

/** A DeploymentError whose problems are a non-empty list of {elementId, message}. */
function isTypedRefusal(error: unknown): error is DeploymentError {
  return error instanceof DeploymentError
    && Array.isArray(error.problems)
    && error.problems.length > 0
    && error.problems.every(isProblem);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-Error thrown: ${String(error)}`;
}

function formatProblems(problems: DeploymentProblem[]): string {
  return problems.map((p) => (p.elementId ? `${p.elementId}: ${p.message}` : p.message)).join('; ');
}

type Outcome = { kind: 'accepted' } | { kind: 'refused'; problems: DeploymentProblem[] } | { kind: 'crashed'; reason: string };

/** Runs an action that takes a model's XML and classifies how it ended. */
async function outcomeOf(action: () => Promise<unknown>): Promise<Outcome> {
  try {
    await action();
    return { kind: 'accepted' };
  } catch (error) {
    if (isTypedRefusal(error)) return { kind: 'refused', problems: error.problems };
    return { kind: 'crashed', reason: describeError(error) };
  }
}

describe('conformance corpus', () => {
  it('compiles every MIWG file or refuses it with a typed DeploymentError', async function () {
    this.timeout(120_000);
    const directory = join(sharedConformance, 'miwg');
    const files = bpmnFiles(directory);
    expect(files.length, 'MIWG files found').to.be.greaterThan(800);

    const crashes: string[] = [];
    for (const file of files) {
      const xml = readFileSync(file, 'utf8');
      const outcome = await outcomeOf(() => compileXml(xml));
      if (outcome.kind === 'crashed') crashes.push(`${relative(directory, file)}: ${outcome.reason}`);
    }
    expect(crashes, `untyped errors:\n${crashes.join('\n')}`).to.deep.equal([]);
  });

  it('deploys most Zeebe models and refuses the rest with a typed DeploymentError', async function () {
    this.timeout(120_000);
    const files = bpmnFiles(join(sharedConformance, 'zeebe'));
    expect(files.length, 'Zeebe files found').to.be.greaterThan(0);

    const refused: string[] = [];
    const crashes: string[] = [];
    let deployed = 0;
    for (const file of files) {
      const xml = readFileSync(file, 'utf8');
      const outcome = await outcomeOf(() => new Engine().deploy(xml));
      if (outcome.kind === 'accepted') deployed++;
      else if (outcome.kind === 'refused') refused.push(`${basename(file)}: ${formatProblems(outcome.problems)}`);
      else crashes.push(`${basename(file)}: ${outcome.reason}`);
    }

    console.log(`Zeebe corpus: ${deployed} of ${files.length} deployed, ${refused.length} refused, ${crashes.length} crashed`);
    for (const line of refused) console.log(`  refused ${line}`);

    expect(crashes, `untyped errors:\n${crashes.join('\n')}`).to.deep.equal([]);
    expect(deployed, 'Zeebe models deployed').to.be.at.least(45);
  });
});
