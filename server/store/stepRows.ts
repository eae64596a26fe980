/**
 * The step functions' JSON in and out: umlauf_load's answers as records, and
 * a change set as the rows umlauf_commit reads (migrations/002 and 004).
 */
import type { ChangeSet, LoadKey, ScopeChain } from '../../engine/index.js';
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
 * The change set as umlauf_commit reads it: the same shape, with rows instead
 * of records; on PostgreSQL with the instances whose step counters it raises,
 * the counters it must find (migrations/007) and the versions that must still
 * be the latest of their processes (migrations/012).
 */
export function changeSetRows(changes: ChangeSet, counted?: CountedInstances, expected?: StepSeqs, latestVersions?: TakenVersions): unknown {
  return {
    ...counted,
    ...(expected && expected.size > 0 ? { expectedStepSeqs: Object.fromEntries(expected) } : {}),
    ...(latestVersions && latestVersions.size > 0 ? { expectedLatestVersions: Object.fromEntries(latestVersions) } : {}),
    instances: changes.instances.map((record) => instanceRows.toRow(record)),
    elementInstances: {
      put: changes.elementInstances.put.map((record) => elementInstanceRows.toRow(record)),
      remove: changes.elementInstances.remove,
    },
    variables: { put: changes.variables.put.map((record) => variableRows.toRow(record)), removeScopes: changes.variables.removeScopes },
    userTasks: changes.userTasks.map((record) => userTaskRows.toRow(record)),
    jobs: { put: changes.jobs.put.map((record) => jobRows.toRow(record)), remove: changes.jobs.remove },
    subscriptions: { put: changes.subscriptions.put.map((record) => subscriptionRows.toRow(record)), remove: changes.subscriptions.remove },
    incidents: changes.incidents.map((record) => incidentRows.toRow(record)),
    multiInstanceOutputs: {
      put: changes.multiInstanceOutputs.put.map((record) => outputRows.toRow(record)),
      removeBodies: changes.multiInstanceOutputs.removeBodies,
    },
    history: changes.history.map((event) => historyRows.toRow(event)),
  };
}
