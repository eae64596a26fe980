/**
 * Deployment: compile, store with the next versions, and keep the compiled
 * models. Timer, message and signal start events of the new versions replace
 * those of the versions before.
 */
import type { StepRun, Store } from './store/Store.js';
import type { ProcessModel } from './model/ProcessModel.js';
import { compileDeployedXml, compileXml } from './model/deploy.js';
import { embeddedFormId } from './model/forms.js';
import { NotFoundError } from './errors.js';
import type { StepRunner } from './StepRunner.js';
import * as commands from './runtime/commands.js';

export interface DeploymentResult {
  id: string;
  processes: { processId: string; version: number }[];
}

export class Deployer {
  private readonly models = new Map<string, ProcessModel>();

  constructor(private readonly store: Store, private readonly clock: () => Date, private readonly newId: () => string) {}

  async deploy(xml: string, steps: StepRunner): Promise<DeploymentResult> {
    const processes = await compileXml(xml);
    const deployment = { id: this.newId(), deployedAt: this.clock().toISOString(), xml };
    const definitions = await this.store.saveDeployment(deployment, processes.map((process) => ({
      processId: process.processId,
      ...(process.name !== undefined ? { name: process.name } : {}),
    })));
    for (const definition of definitions) {
      const model = processes.find((process) => process.processId === definition.processId);
      if (model) this.models.set(definition.key, model);
      const previous = await this.store.findStartEventTriggers(definition.processId);
      await steps.run([], (execution) => commands.replaceStartTriggers(execution, definition.key, previous));
    }
    return { id: deployment.id, processes: definitions.map(({ processId, version }) => ({ processId, version })) };
  }

  cached(definitionKey: string): ProcessModel | undefined {
    return this.models.get(definitionKey);
  }

  /** The key of a process's latest version, for the step run `run` when one asks (see Store.getDefinition). */
  async latestKey(processId: string, run?: StepRun): Promise<string | undefined> {
    return (await this.store.getDefinition(processId, undefined, run))?.key;
  }

  /** A copy of the form-js schema a formKey names among the definition's embedded forms; undefined for other form keys. */
  async embeddedForm(definitionKey: string, formKey: string | undefined): Promise<unknown> {
    const formId = embeddedFormId(formKey);
    if (formId === undefined) return undefined;
    const forms = (await this.modelFor(definitionKey)).forms;
    return Object.hasOwn(forms, formId) ? structuredClone(forms[formId]) : undefined;
  }

  /** The compiled model of a stored definition, compiled once per engine. */
  async modelFor(definitionKey: string): Promise<ProcessModel> {
    const cached = this.models.get(definitionKey);
    if (cached) return cached;
    const definition = await this.store.getDefinitionByKey(definitionKey);
    const deployment = definition ? await this.store.getDeployment(definition.deploymentId) : undefined;
    if (!definition || !deployment) throw new NotFoundError('process definition', definitionKey);
    const model = (await compileDeployedXml(deployment.xml)).find((process) => process.processId === definition.processId);
    if (!model) throw new NotFoundError('process definition', definitionKey);
    this.models.set(definitionKey, model);
    return model;
  }
}
