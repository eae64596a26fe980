/**
 * Engine records ↔ table rows. Each table is described once: which record
 * field goes to which column and how; fields without a column of their own
 * travel in the row's `state` (element instances only). Rows arrive either from
 * knex (Date objects) or as JSON from umlauf_load (timestamps as text), so
 * reading normalizes both to the engine's ISO strings.
 */
import { arrayLiteral } from './postgresLiterals.js';
import type {
  DefinitionRecord, DeploymentRecord, ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord, JobRecord,
  MultiInstanceOutputRecord, SubscriptionRecord, UserTaskRecord, VariableRecord,
} from '../../engine/index.js';

/**
 * How a column's value is read and written. jsonb values come back parsed from
 * pg and PGlite alike, so reading converts only timestamps; a commit's texts
 * (fieldTexts) render jsonb as JSON and text[] as an array literal.
 */
type Kind = 'plain' | 'time' | 'json' | 'list';

interface Column {
  field: string;
  column: string;
  kind: Kind;
  /** Absent from the record when the column is null (optional fields). */
  optional: boolean;
}

/** `field`, `field?`, `field:time`, `field?:time`; the column is the field in snake_case. */
function columns(...specs: string[]): Column[] {
  return specs.map((spec) => {
    const [name, kind = 'plain'] = spec.split(':') as [string, Kind?];
    const optional = name.endsWith('?');
    const field = optional ? name.slice(0, -1) : name;
    return { field, column: field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), kind, optional };
  });
}

export class RowMapping<T extends object> {
  /** The record fields that have a column of their own. */
  private readonly columnFields: Set<string>;

  constructor(private readonly spec: Column[], private readonly stateColumn = false) {
    this.columnFields = new Set(spec.map(({ field }) => field));
  }

  toRow(record: T): Record<string, unknown> {
    const source = record as Record<string, unknown>;
    const row: Record<string, unknown> = {};
    for (const { field, column } of this.spec) row[column] = source[field] ?? null;
    if (this.stateColumn) row['state'] = this.stateOf(source);
    return row;
  }

  /**
   * The row's fields as the texts their columns' types read (null for SQL
   * NULL), in the order of columnNames(): the row types of migrations/013
   * follow that order.
   */
  fieldTexts(record: T): (string | null)[] {
    const source = record as Record<string, unknown>;
    const fields = this.spec.map(({ field, kind }) => fieldText(source[field], kind));
    if (this.stateColumn) fields.push(JSON.stringify(this.stateOf(source)));
    return fields;
  }

  /**
   * The fields without a column, in the record's order. Picked one by one
   * rather than copying the record and deleting the others, which V8 handles
   * slowly: measured, 580 → 350–500 ns for an element instance's row.
   */
  private stateOf(source: Record<string, unknown>): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    for (const field in source) if (!this.columnFields.has(field)) state[field] = source[field];
    return state;
  }

  /**
   * The columns this mapping reads, for a select list: a prepared statement
   * that selects * fails once a later migration adds a column to its table.
   */
  columnList(): string {
    return this.columnNames().join(', ');
  }

  columnNames(): string[] {
    return [...this.spec.map(({ column }) => column), ...(this.stateColumn ? ['state'] : [])];
  }

  fromRow(row: Record<string, unknown>): T {
    const record: Record<string, unknown> = this.stateColumn ? { ...(row['state'] as Record<string, unknown>) } : {};
    for (const { field, column, kind, optional } of this.spec) {
      const value = row[column];
      if (value === null || value === undefined) {
        if (!optional) record[field] = null;
        continue;
      }
      record[field] = kind === 'time' ? isoTime(value) : value;
    }
    return record as T;
  }
}

/**
 * A value as the text its column's type reads. A number that is not finite
 * goes as NULL, as it did in the JSON that commits sent before (migrations/013).
 */
function fieldText(value: unknown, kind: Kind): string | null {
  if (value === null || value === undefined) return null;
  if (kind === 'json') return JSON.stringify(value) ?? null;
  if (kind === 'list') return arrayLiteral((value as unknown[]).map((element) => (element === null || element === undefined ? null : String(element))));
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Timestamps leave the database as Date (knex) or as text in any offset (to_jsonb); the engine keeps UTC ISO strings. */
export function isoTime(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

export const deploymentRows = new RowMapping<DeploymentRecord>(columns('id', 'deployedAt:time', 'xml'));

export const definitionRows = new RowMapping<DefinitionRecord>(
  columns('key', 'processId', 'version', 'name?', 'deploymentId', 'deployedAt:time'),
);

export const instanceRows = new RowMapping<InstanceRecord>(columns(
  'id', 'definitionKey', 'processId', 'version', 'businessKey?', 'state', 'startedAt:time', 'endedAt?:time',
  'parentInstanceId?', 'parentElementInstanceId?', 'openIncidents', 'rev',
));

export const elementInstanceRows = new RowMapping<ElementInstanceRecord>(
  columns('id', 'instanceId', 'definitionKey', 'scopeId', 'elementId', 'elementType', 'rev'),
  true,
);

export const variableRows = new RowMapping<VariableRecord>(columns('scopeId', 'instanceId', 'name', 'value:json'));

export const userTaskRows = new RowMapping<UserTaskRecord>(columns(
  'id', 'elementInstanceId', 'instanceId', 'processId', 'elementId', 'name?', 'assignee?', 'candidateUsers:list', 'candidateGroups:list',
  'dueDate?:time', 'followUpDate?:time', 'priority', 'formKey?', 'state', 'createdAt:time', 'completedAt?:time', 'rev',
));

export const jobRows = new RowMapping<JobRecord>(columns(
  'id', 'kind', 'purpose', 'elementId', 'definitionKey', 'instanceId?', 'elementInstanceId?', 'dueAt:time', 'type?', 'retries',
  'failures?', 'lastError?', 'customHeaders?:json', 'firedCount?', 'schedule?:json', 'incidentId?', 'rev',
));

export const subscriptionRows = new RowMapping<SubscriptionRecord>(columns(
  'id', 'kind', 'purpose', 'name', 'correlationKey?', 'elementId', 'definitionKey', 'instanceId?', 'elementInstanceId?', 'rev',
));

export const incidentRows = new RowMapping<IncidentRecord>(columns(
  'id', 'instanceId', 'elementInstanceId', 'elementId', 'type', 'message', 'state', 'createdAt:time', 'jobId?', 'phase', 'rev',
));

export const outputRows = new RowMapping<MultiInstanceOutputRecord>(columns('bodyId', 'index', 'value:json'));

export const historyRows = new RowMapping<HistoryEvent>(columns(
  'at:time', 'type', 'instanceId', 'elementId', 'elementType', 'elementInstanceId', 'details?:json',
));
