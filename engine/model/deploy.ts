/** From XML to executable process models, or a DeploymentError listing every problem. */
import { DeploymentError } from '../errors.js';
import { readDefinitions } from './moddle.js';
import { compileDefinitions } from './compile.js';
import type { ProcessModel } from './ProcessModel.js';

export async function compileXml(xml: string): Promise<ProcessModel[]> {
  const definitions = await readDefinitions(xml);
  let result;
  try {
    result = compileDefinitions(definitions);
  } catch (error) {
    // A model shape no rule foresaw must still come back as a typed refusal, never as a crash.
    const reason = error instanceof Error ? error.message : String(error);
    throw new DeploymentError([{ elementId: '', message: `the model could not be read: ${reason}` }]);
  }
  if (result.problems.length > 0) throw new DeploymentError(result.problems);
  return result.processes;
}
