/**
 * The step functions in and out: umlauf_load's JSON answers as records, and a
 * change set as the arguments of umlauf_commit_rows (migrations/013).
 */
import type { ChangeSet, LoadKey, Removal, ScopeChain } from '../../engine/index.js';
import { arrayLiteral, compositeArrayLiteral } from './postgresLiterals.js';
import type { CountedInstances, StepSeqs } from './StepCache.js';
import type { TakenVersions } from './latestVersions.js';
import {
  elementInstanceRows, historyRows, incidentRows, instanceRows, jobRows, outputRows, subscriptionRows, userTaskRows, variableRows,
  type RowMapping,
} from './rows.js';

type Row = Record<string, unknown>;

/** umlauf_load's answer to one key, as records. */
export function recordsOf(key: LoadKey, answer: unknown): unknown {
  if (key.kind === 'scopeChain') return scopeChainOf(answer as ScopeChainAnswer);
  const mapping = mappingOf(key);
  if (answer === null) return undefined;
  if (Array.isArray(answer)) return answer.map((row) => mapping.fromRow(row as Row));
  return mapping.fromRow(answer as Row);
}

/** umlauf_load's answer to a scopeChain key (migrations/004): variables only when asked for. */
interface ScopeChainAnswer {
  elementInstances: Row[];
  instance: Row | null;
  variables?: { small: Row[]; large: { scope_id: string; name: string }[] } | null;
}

function scopeChainOf(answer: ScopeChainAnswer): ScopeChain {
  const elementInstances = answer.elementInstances.map((row) => elementInstanceRows.fromRow(row));
  const chain: ScopeChain = answer.instance ? { elementInstances, instance: instanceRows.fromRow(answer.instance) } : { elementInstances };
  if (answer.variables) {
    chain.variables = {
      small: answer.variables.small.map((row) => variableRows.fromRow(row)),
      large: answer.variables.large.map((row) => ({ scopeId: row.scope_id, name: row.name })),
    };
  }
  return chain;
}

function mappingOf(key: Exclude<LoadKey, { kind: 'scopeChain' }>): RowMapping<object> {
  switch (key.kind) {
    case 'instance': return instanceRows;
    case 'elementInstance': case 'children': case 'join': return elementInstanceRows;
    case 'variable': case 'scopeVariables': return variableRows;
    case 'userTask': return userTaskRows;
    case 'job': return jobRows;
    case 'subscription': return subscriptionRows;
    case 'incident': return incidentRows;
    case 'multiInstanceOutputs': return outputRows;
  }
}

/**
 * The step counters (instances.step_seq, migrations/005) in umlauf_load's
 * answers: an instance key's row and a scope chain's instance carry theirs.
 * One call reads one snapshot, so the other answers are as of these counters.
 */
export function stepSeqsOf(keys: LoadKey[], answers: unknown[]): Map<string, number> {
  const stepSeqs = new Map<string, number>();
  keys.forEach((key, index) => {
    const answer = answers[index] as Row | null | undefined;
    const row = key.kind === 'instance' ? answer : key.kind === 'scopeChain' ? answer?.['instance'] as Row | null | undefined : undefined;
    if (row && typeof row['step_seq'] === 'number') stepSeqs.set(row['id'] as string, row['step_seq']);
  });
  return stepSeqs;
}

/**
 * umlauf_commit_rows (migrations/013): its parameters in order, each with its
 * type, and the statement that calls it.
 */
export const commitParameters = [
  ['steps', 'text[]'], ['lookUpElementInstances', 'text[]'], ['lookUpJobs', 'text[]'], ['lookUpSubscriptions', 'text[]'],
  ['expectedInstances', 'text[]'], ['expectedStepSeqs', 'bigint[]'], ['expectedProcesses', 'text[]'], ['expectedVersions', 'int[]'],
  ['instances', 'umlauf_instance_row[]'],
  ['elementInstanceRemovals', 'umlauf_row_removal[]'], ['elementInstances', 'umlauf_element_instance_row[]'],
  ['variableScopeRemovals', 'text[]'], ['variables', 'umlauf_variable_row[]'],
  ['userTasks', 'umlauf_user_task_row[]'],
  ['jobRemovals', 'umlauf_row_removal[]'], ['jobs', 'umlauf_job_row[]'],
  ['subscriptionRemovals', 'umlauf_row_removal[]'], ['subscriptions', 'umlauf_subscription_row[]'],
  ['incidents', 'umlauf_incident_row[]'],
  ['outputBodyRemovals', 'text[]'], ['outputs', 'umlauf_output_row[]'],
  ['history', 'umlauf_history_row[]'],
] as const;

export const commitStatement = `select umlauf_commit_rows(${commitParameters.map(([, type], index) => `$${index + 1}::${type}`).join(', ')}) as answers`;

/**
 * A change set as umlauf_commit_rows' arguments, each the text of an array;
 * on PostgreSQL with the instances whose step counters it raises, the
 * counters it must find (migrations/007) and the versions that must still be
 * the latest of their processes (migrations/012). In the order of
 * commitParameters.
 */
export function commitArguments(changes: ChangeSet, counted?: CountedInstances, expected?: StepSeqs, latestVersions?: TakenVersions): string[] {
  const texts = (values: Iterable<string | number>): string => arrayLiteral([...values].map(String));
  const rows = <T extends object>(mapping: RowMapping<T>, records: T[]): string => compositeArrayLiteral(records.map((record) => mapping.fieldTexts(record)));
  const removals = (records: Removal[]): string => compositeArrayLiteral(records.map(({ id, rev }) => [id, String(rev)]));
  const lookUp = counted?.removalsToLookUp;
  return [
    texts(counted?.steps ?? []),
    texts((lookUp?.elementInstances ?? []).map(({ id }) => id)),
    texts((lookUp?.jobs ?? []).map(({ id }) => id)),
    texts((lookUp?.subscriptions ?? []).map(({ id }) => id)),
    texts(expected?.keys() ?? []), texts(expected?.values() ?? []),
    texts(latestVersions?.keys() ?? []), texts(latestVersions?.values() ?? []),
    rows(instanceRows, changes.instances),
    removals(changes.elementInstances.remove), rows(elementInstanceRows, changes.elementInstances.put),
    texts(changes.variables.removeScopes), rows(variableRows, changes.variables.put),
    rows(userTaskRows, changes.userTasks),
    removals(changes.jobs.remove), rows(jobRows, changes.jobs.put),
    removals(changes.subscriptions.remove), rows(subscriptionRows, changes.subscriptions.put),
    rows(incidentRows, changes.incidents),
    texts(changes.multiInstanceOutputs.removeBodies), rows(outputRows, changes.multiInstanceOutputs.put),
    rows(historyRows, changes.history),
  ];
}
