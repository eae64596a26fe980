/** JSON Schemas shared by several routes: what the API answers with, and common parameters. */
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'A stable, machine-readable code, e.g. not_found, conflict, validation_failed.' }),
    message: Type.String({ description: 'What went wrong, for people.' }),
    details: Type.Optional(Type.Unknown()),
  }),
});

export const Id = Type.String({ minLength: 1, maxLength: 200 });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Variables = Type.Record(Type.String(), Type.Unknown(), { description: 'Process variables: a JSON object.' });
export const Timestamp = Type.String({ format: 'date-time' });
export const UserTaskStateSchema = Type.Union([Type.Literal('open'), Type.Literal('completed'), Type.Literal('canceled')]);

/** The largest value of a PostgreSQL integer column: a version or an offset beyond it could only fail at the database, or be misread. */
export const maxStoredInteger = 2_147_483_647;
export const VersionQuery = Type.Object({
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: maxStoredInteger, description: 'A version of the process; the latest when absent.' })),
}, { additionalProperties: false });

export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'How many items per page.' });
export const Cursor = Type.String({ maxLength: 500, description: 'From nextCursor of the previous page.' });

export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Optional(Type.String({ description: 'Absent on the last page.' })),
  });
}

export const UserTaskSchema = Type.Object({
  id: Type.String(),
  instanceId: Type.String(),
  processId: Type.String(),
  elementId: Type.String(),
  name: Type.Optional(Type.String()),
  assignee: Type.Optional(Type.String()),
  candidateUsers: Type.Array(Type.String()),
  candidateGroups: Type.Array(Type.String()),
  dueDate: Type.Optional(Timestamp),
  followUpDate: Type.Optional(Timestamp),
  priority: Type.Integer(),
  formKey: Type.Optional(Type.String()),
  variables: Variables,
  state: UserTaskStateSchema,
  createdAt: Timestamp,
  completedAt: Type.Optional(Timestamp),
  businessKey: Type.Optional(Type.String()),
  deputisedFor: Type.Optional(Type.String({ description: 'Set when the task is in the inbox only because the caller stands in for this absent colleague.' })),
});

export const InstanceStateSchema = Type.Union([Type.Literal('active'), Type.Literal('completed'), Type.Literal('terminated'), Type.Literal('incident')]);

export const ProcessInstanceSummary = Type.Object({
  id: Type.String(),
  processId: Type.String(),
  version: Type.Integer(),
  businessKey: Type.Optional(Type.String()),
  state: InstanceStateSchema,
  startedAt: Timestamp,
  endedAt: Type.Optional(Timestamp),
  startedBy: Type.Optional(Type.String()),
});

export const HistoryEventSchema = Type.Object({
  at: Timestamp,
  type: Type.String(),
  elementId: Type.String(),
  elementType: Type.String(),
  elementInstanceId: Type.String(),
  details: Type.Optional(Variables),
});

export const IncidentSchema = Type.Object({
  id: Type.String(),
  instanceId: Type.String(),
  elementInstanceId: Type.String(),
  elementId: Type.String(),
  type: Type.String(),
  message: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
  createdAt: Timestamp,
  jobId: Type.Optional(Type.String()),
});

/** A user task as the tracking view of its folder shows it. */
export const InstanceUserTask = Type.Object({
  id: Type.String(), elementId: Type.String(), name: Type.Optional(Type.String()), assignee: Type.Optional(Type.String()),
  candidateGroups: Type.Array(Type.String()), state: Type.String(), createdAt: Timestamp, dueDate: Type.Optional(Timestamp),
  completedAt: Type.Optional(Timestamp),
});

/** How many of a folder's user tasks are in each state (a state with none is left out). */
export const UserTaskCounts = Type.Object({
  open: Type.Optional(Type.Integer()), completed: Type.Optional(Type.Integer()), canceled: Type.Optional(Type.Integer()),
}, { additionalProperties: false });

export const ProcessInstanceDetail = Type.Intersect([ProcessInstanceSummary, Type.Object({
  variables: Variables,
  activeElementIds: Type.Array(Type.String()),
  parentInstanceId: Type.Optional(Type.String()),
  history: Type.Array(HistoryEventSchema, { description: 'The oldest events, up to 200; historyNextCursor leads on (GET …/history).' }),
  historyNextCursor: Type.Optional(Type.String({ description: 'Present when the instance has more history: the cursor for GET /api/process-instances/{id}/history.' })),
  incidents: Type.Array(IncidentSchema),
  userTasks: Type.Array(InstanceUserTask, { description: 'The first user tasks created, up to 200; userTasksNextCursor leads on (GET …/user-tasks).' }),
  userTasksNextCursor: Type.Optional(Type.String({ description: 'Present when the instance has more user tasks: the cursor for GET /api/process-instances/{id}/user-tasks.' })),
  userTaskCounts: UserTaskCounts,
})]);

export const DefinitionSchema = Type.Object({
  key: Type.String(),
  processId: Type.String(),
  version: Type.Integer(),
  name: Type.Optional(Type.String()),
  deploymentId: Type.String(),
  deployedAt: Timestamp,
});

export const Empty = Type.Object({}, { additionalProperties: false });
