/** Umlauf's BPMN engine: the public API. */
export { Engine } from './Engine.js';
export type { EngineOptions, StartOptions } from './Engine.js';
export type { DeploymentResult } from './Deployer.js';
export type { AssignUserTaskOptions } from './runtime/operations.js';
export { MemoryStore } from './store/MemoryStore.js';
export type { Store, ChangeSet, JobClaim, LoadKey, Loaded, NewDefinition, Removal, ScopeChain, StepRun } from './store/Store.js';
export { definitionRecord, emptyChangeSet, loadKeyString } from './store/Store.js';
export { DeploymentError, NotFoundError, ConflictError, InvalidArgumentError, BpmnError } from './errors.js';
export type { DeploymentProblem } from './errors.js';
export { variableValueProblems, maxNesting, storableText } from './variableValues.js';
export type { ValueProblem } from './variableValues.js';
export type * from './types.js';
