/** From XML to executable process models, or a DeploymentError listing every problem. */
import { DeploymentError } from '../errors.js';
import { readDefinitions } from './moddle.js';
import { compileDefinitions } from './compile.js';
import type { ProcessModel } from './ProcessModel.js';

export async function compileXml(xml: string): Promise<ProcessModel[]> {
  const result = await compiled(xml);
  if (result.problems.length > 0) throw new DeploymentError(result.problems);
  return result.processes;
}

/**
 * A model the store holds passed the checks of its deployment. A check added
 * since (a newer version of this engine) must not stop its running instances
 * at their next step: it guards new deployments, and the run time refuses
 * the same values with an incident where they are used.
 */
export async function compileDeployedXml(xml: string): Promise<ProcessModel[]> {
  return (await compiled(xml)).processes;
}

async function compiled(xml: string): Promise<ReturnType<typeof compileDefinitions>> {
  const definitions = await readDefinitions(xml);
  try {
    return compileDefinitions(definitions);
  } catch (error) {
    // A model shape no rule foresaw must still come back as a typed refusal, never as a crash.
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeploymentError([{ elementId: '', message: `the model could not be read: ${reason}` }]);
  }
}
