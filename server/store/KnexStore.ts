/**
 * The durable Store, on PostgreSQL or embedded PGlite through knex. A step
 * costs two round trips: umlauf_load answers all its load keys, umlauf_commit
 * applies its change set in one statement (see migrations/002). Queries for
 * inboxes and operators use ordinary indexed SQL with bindings.
 */
import type { Knex } from 'knex';
import {
  ConflictError, definitionRecord,
  type ChangeSet, type JobClaim, type Loaded, type LoadKey, type NewDefinition, type ScopeChain, type Store,
} from '../../engine/index.js';
import type {
  DefinitionRecord, DeploymentRecord, ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord, JobRecord,
  SubscriptionRecord, UserTaskFilter, UserTaskRecord, VariableRecord,
} from '../../engine/index.js';
import {
  definitionRows, deploymentRows, elementInstanceRows, historyRows, incidentRows, instanceRows, jobRows, outputRows,
  subscriptionRows, userTaskRows, variableRows, type RowMapping,
} from './rows.js';

type Row = Record<string, unknown>;

/** SQLSTATEs that mean "someone else changed it first": run the step again on fresh data. */
const conflictCodes = new Set([
  'UM409', // umlauf_commit: a versioned row was not at the expected rev
  '23505', // unique_violation: two steps inserted the same row
  '40001', // serialization_failure
  '40P01', // deadlock_detected: two steps locked rows in opposite order
]);

export class KnexStore implements Store {
  constructor(private readonly knex: Knex) {}

  async saveDeployment(deployment: DeploymentRecord, processes: NewDefinition[]): Promise<DefinitionRecord[]> {
    return this.knex.transaction(async (trx) => {
      await trx('deployments').insert(deploymentRows.toRow(deployment));
      const saved: DefinitionRecord[] = [];
      for (const process of processes) {
        // Two deployments of one process at once would pick the same version; they take turns instead.
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`definition:${process.processId}`]);
        const latest = await trx('definitions').where({ process_id: process.processId }).max('version as version').first() as { version: number | null } | undefined;
        const version = (latest?.version ?? 0) + 1;
        const definition = definitionRecord(deployment, process, version);
        await trx('definitions').insert(definitionRows.toRow(definition));
        saved.push(definition);
      }
      return saved;
    });
  }

  async getDefinition(processId: string, version?: number): Promise<DefinitionRecord | undefined> {
    const query = this.knex('definitions').where({ process_id: processId });
    const row = await (version === undefined ? query.orderBy('version', 'desc') : query.andWhere({ version })).first() as Row | undefined;
    return row && definitionRows.fromRow(row);
  }

  async getDefinitionByKey(key: string): Promise<DefinitionRecord | undefined> {
    return this.one(definitionRows, this.knex('definitions').where({ key }));
  }

  async listDefinitions(): Promise<DefinitionRecord[]> {
    return this.many(definitionRows, this.knex('definitions').orderBy([{ column: 'process_id' }, { column: 'version' }]));
  }

  async getDeployment(id: string): Promise<DeploymentRecord | undefined> {
    return this.one(deploymentRows, this.knex('deployments').where({ id }));
  }

  async load(keys: LoadKey[]): Promise<Loaded[]> {
    const result = await this.knex.raw('select umlauf_load(?::jsonb) as answers', [JSON.stringify(keys)]) as { rows: { answers: unknown[] }[] };
    const answers = result.rows[0]?.answers ?? [];
    return keys.map((key, index) => ({ key, value: recordsOf(key, answers[index] ?? null) }));
  }

  async commit(changes: ChangeSet): Promise<void> {
    try {
      await this.knex.raw('select umlauf_commit(?::jsonb)', [JSON.stringify(changeSetRows(changes))]);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && conflictCodes.has(code)) {
        throw new ConflictError(`the step lost a race with another one: ${(error as Error).message}`);
      }
      throw error;
    }
  }

  async getInstance(id: string): Promise<InstanceRecord | undefined> {
    return this.one(instanceRows, this.knex('instances').where({ id }));
  }

  async listElementInstances(instanceId: string): Promise<ElementInstanceRecord[]> {
    return this.many(elementInstanceRows, this.knex('element_instances').where({ instance_id: instanceId }).whereNot({ id: instanceId }));
  }

  async listVariables(scopeId: string): Promise<VariableRecord[]> {
    return this.many(variableRows, this.knex('variables').where({ scope_id: scopeId }).orderBy('name'));
  }

  async listVariablesOfScopes(scopeIds: string[]): Promise<VariableRecord[]> {
    if (scopeIds.length === 0) return [];
    return this.many(variableRows, this.knex('variables').whereIn('scope_id', scopeIds).orderBy([{ column: 'scope_id' }, { column: 'name' }]));
  }

  async getUserTask(id: string): Promise<UserTaskRecord | undefined> {
    return this.one(userTaskRows, this.knex('user_tasks').where({ id }));
  }

  async listUserTasks(filter: UserTaskFilter): Promise<UserTaskRecord[]> {
    const query = this.knex('user_tasks');
    if (filter.instanceId !== undefined) query.where({ instance_id: filter.instanceId });
    if (filter.assignee !== undefined) query.where({ assignee: filter.assignee });
    if (filter.state !== undefined) query.where({ state: filter.state });
    if (filter.candidateGroup !== undefined) query.whereRaw('candidate_groups @> array[?]::text[]', [filter.candidateGroup]);
    if (filter.candidateUser !== undefined) query.whereRaw('candidate_users @> array[?]::text[]', [filter.candidateUser]);
    return this.many(userTaskRows, query.orderBy([{ column: 'created_at' }, { column: 'id' }]));
  }

  async findDueJobs(now: string, limit: number): Promise<JobRecord[]> {
    const query = this.knex('jobs').where('due_at', '<=', now).whereNull('incident_id')
      .orderBy([{ column: 'due_at' }, { column: 'id' }]).limit(limit);
    return this.many(jobRows, query);
  }

  /**
   * Claims due jobs for one runner. `FOR UPDATE SKIP LOCKED` lets many servers
   * claim from the same table at once: each skips the rows another is claiming
   * in that moment instead of waiting for them, so no job is handed out twice.
   * The claim is a lock with an expiry; a runner that crashes leaves its jobs
   * to be claimed again when it runs out. The rev is left alone: claiming
   * changes nothing the engine sees, and the step that runs the job clears it.
   */
  async claimDueJobs(now: string, limit: number, claim: JobClaim): Promise<JobRecord[]> {
    const rows = await this.knex.raw(`
      update jobs set lock_owner = ?, lock_expires_at = ?
      where id in (
        select id from jobs
        where due_at <= ? and incident_id is null
          and (lock_expires_at is null or lock_expires_at <= ?)
          and (kind = 'timer' or type = any(?::text[]))
        order by due_at, id
        limit ?
        for update skip locked
      )
      returning *`, [claim.owner, claim.until, now, now, claim.types, limit]) as { rows: Row[] };
    return rows.rows.map((row) => jobRows.fromRow(row)).sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
  }

  async findMessageSubscriptions(name: string, correlationKey: string | undefined): Promise<SubscriptionRecord[]> {
    const query = this.knex('subscriptions').where({ kind: 'message', name }).andWhere((where) => {
      where.where({ purpose: 'startEvent' });
      if (correlationKey === undefined) where.orWhereNull('correlation_key');
      else where.orWhere({ correlation_key: correlationKey });
    });
    return this.many(subscriptionRows, query.orderBy('id'));
  }

  async findSignalSubscriptions(name: string): Promise<SubscriptionRecord[]> {
    return this.many(subscriptionRows, this.knex('subscriptions').where({ kind: 'signal', name }).orderBy('id'));
  }

  async findStartEventTriggers(processId: string): Promise<{ jobs: JobRecord[]; subscriptions: SubscriptionRecord[] }> {
    // A definition key is `processId:version`.
    const ofProcess = ['starts_with(definition_key, ?)', [`${processId}:`]] as const;
    const [jobs, subscriptions] = await Promise.all([
      this.many(jobRows, this.knex('jobs').where({ purpose: 'startEvent' }).whereRaw(...ofProcess)),
      this.many(subscriptionRows, this.knex('subscriptions').where({ purpose: 'startEvent' }).whereRaw(...ofProcess)),
    ]);
    return { jobs, subscriptions };
  }

  async listHistory(instanceId: string): Promise<HistoryEvent[]> {
    return this.many(historyRows, this.knex('history').where({ instance_id: instanceId }).orderBy('seq'));
  }

  async listIncidents(instanceId?: string): Promise<IncidentRecord[]> {
    const query = this.knex('incidents').orderBy([{ column: 'created_at' }, { column: 'id' }]);
    if (instanceId !== undefined) query.where({ instance_id: instanceId });
    return this.many(incidentRows, query);
  }

  async getIncident(id: string): Promise<IncidentRecord | undefined> {
    return this.one(incidentRows, this.knex('incidents').where({ id }));
  }

  private async one<T extends object>(mapping: RowMapping<T>, query: Knex.QueryBuilder): Promise<T | undefined> {
    const row = await query.first() as Row | undefined;
    return row && mapping.fromRow(row);
  }

  private async many<T extends object>(mapping: RowMapping<T>, query: Knex.QueryBuilder): Promise<T[]> {
    return (await query as Row[]).map((row) => mapping.fromRow(row));
  }
}

/** umlauf_load's answer to one key, as records. */
function recordsOf(key: LoadKey, answer: unknown): unknown {
  if (key.kind === 'scopeChain') return scopeChainOf(answer as { elementInstances: Row[]; instance: Row | null });
  const mapping = mappingOf(key);
  if (answer === null) return undefined;
  if (Array.isArray(answer)) return answer.map((row) => mapping.fromRow(row as Row));
  return mapping.fromRow(answer as Row);
}

function scopeChainOf(answer: { elementInstances: Row[]; instance: Row | null }): ScopeChain {
  const elementInstances = answer.elementInstances.map((row) => elementInstanceRows.fromRow(row));
  return answer.instance ? { elementInstances, instance: instanceRows.fromRow(answer.instance) } : { elementInstances };
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

/** The change set as umlauf_commit reads it: the same shape, with rows instead of records. */
function changeSetRows(changes: ChangeSet): unknown {
  return {
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
