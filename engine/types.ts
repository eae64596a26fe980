/**
 * The engine's vocabulary and the plain-data records it reads and writes.
 *
 * Glossary
 * - definition: one deployed version of one BPMN process (processId + version).
 * - instance (process instance): one run of a definition.
 * - element instance: one activation of a flow element inside an instance; the
 *   places where tokens rest. The process itself is the root element instance,
 *   whose id is the instance id. Sub-processes, multi-instance bodies and their
 *   inner instances are element instances that are also variable scopes.
 * - token: a position of execution; every active element instance holds one.
 * - command: a request from outside (start, complete a user task, correlate a
 *   message, fire a timer …) that the engine turns into one step.
 * - step: applying one command to the loaded state; it yields one change set
 *   that the store commits atomically, or nothing at all.
 * - effect: what a step asks the host to do later, as data: a job (a timer to
 *   fire or a service handler to run) or a message subscription.
 * - job: a timer or service work item with a due time; the host runs it.
 * - user task: work for a person, created by a userTask element.
 * - incident: a token that cannot go on without an operator (a failed
 *   expression, a job out of retries, an unhandled error).
 */

export type Variables = Record<string, unknown>;

export type InstanceState = 'active' | 'completed' | 'terminated' | 'incident';

/** The public view of a process instance. */
export interface ProcessInstance {
  id: string;
  processId: string;
  version: number;
  businessKey?: string;
  state: InstanceState;
  variables: Variables;
  activeElementIds: string[];
  startedAt: string;
  endedAt?: string;
  parentInstanceId?: string;
}

export type UserTaskState = 'open' | 'completed' | 'canceled';

/** The public view of a user task. Its variables are those of the task's own scope (input mappings, multi-instance element). */
export interface UserTask {
  id: string;
  instanceId: string;
  processId: string;
  elementId: string;
  name?: string;
  assignee?: string;
  candidateUsers: string[];
  candidateGroups: string[];
  dueDate?: string;
  followUpDate?: string;
  priority: number;
  formKey?: string;
  variables: Variables;
  state: UserTaskState;
  createdAt: string;
  completedAt?: string;
}

export interface UserTaskFilter {
  instanceId?: string;
  assignee?: string;
  candidateGroup?: string;
  candidateUser?: string;
  state?: UserTaskState;
}

export type HistoryEventType =
  | 'activated'
  | 'completed'
  | 'terminated'
  | 'incident_created'
  | 'incident_resolved'
  /** A user task's assignee was set or cleared; details: { assignee, previousAssignee } (null when none). */
  | 'assigned';

/** One entry of an instance's append-only history. */
export interface HistoryEvent {
  at: string;
  type: HistoryEventType;
  instanceId: string;
  elementId: string;
  elementType: string;
  elementInstanceId: string;
  details?: Variables;
}

export interface Incident {
  id: string;
  instanceId: string;
  elementInstanceId: string;
  elementId: string;
  type: IncidentType;
  message: string;
  state: 'open' | 'resolved';
  createdAt: string;
  jobId?: string;
}

export type IncidentType = 'expression' | 'no_matching_flow' | 'job_failed' | 'unhandled_error' | 'called_element' | 'condition';

/** What a service handler receives. */
export interface ServiceJob {
  id: string;
  type: string;
  instanceId: string;
  elementId: string;
  elementInstanceId: string;
  variables: Variables;
  customHeaders: Record<string, string>;
  retries: number;
}

export type ServiceHandler = (job: ServiceJob) => Promise<Variables | void> | Variables | void;

// ---------------------------------------------------------------------------
// Records: the rows a Store keeps. Records with `rev` are versioned; a change
// set carries the new rev and the store refuses it when the stored rev is not
// the one before (optimistic concurrency between engines on one store).

export interface DeploymentRecord {
  id: string;
  deployedAt: string;
  xml: string;
}

export interface DefinitionRecord {
  key: string;
  processId: string;
  version: number;
  name?: string;
  deploymentId: string;
  deployedAt: string;
}

export interface InstanceRecord {
  id: string;
  definitionKey: string;
  processId: string;
  version: number;
  businessKey?: string;
  state: InstanceState;
  startedAt: string;
  endedAt?: string;
  /** Set when a call activity started this instance. */
  parentInstanceId?: string;
  parentElementInstanceId?: string;
  openIncidents: number;
  rev: number;
}

export interface MultiInstanceCounters {
  total: number;
  active: number;
  completed: number;
  /** Index (0-based) of the next inner instance a sequential body starts. */
  next: number;
}

export interface ElementInstanceRecord {
  id: string;
  instanceId: string;
  definitionKey: string;
  elementId: string;
  elementType: string;
  /** The enclosing scope's element instance; null for the process itself. */
  scopeId: string | null;
  /** Number of child element instances still active in this scope. */
  tokens: number;
  /** Jobs and subscriptions this element instance owns (boundary events, event sub-process starts …); removed with it. */
  attached: Attachment[];
  multiInstance?: MultiInstanceCounters;
  /** Inner instance of a multi-instance body: its 1-based loopCounter. */
  loopCounter?: number;
  /** Sequential multi-instance body: the input collection, read once at activation. */
  loopItems?: unknown[];
  /** Waiting join gateway: tokens arrived per incoming sequence flow. */
  arrivals?: Record<string, number>;
  /** Call activity: the instance it started. */
  calledInstanceId?: string;
  /** Set while the element waits on an incident. */
  incidentId?: string;
  /** A flow that a non-interrupting event sub-process needs to know it was interrupted. */
  interrupted?: boolean;
  rev: number;
}

export interface Attachment {
  kind: 'job' | 'subscription';
  id: string;
}

export interface VariableRecord {
  scopeId: string;
  instanceId: string;
  name: string;
  value: unknown;
}

export interface UserTaskRecord extends Omit<UserTask, 'variables'> {
  elementInstanceId: string;
  rev: number;
}

export type JobPurpose = 'activity' | 'boundary' | 'eventSubProcess' | 'startEvent' | 'intermediate' | 'eventBasedGateway';

export interface JobRecord {
  id: string;
  kind: 'timer' | 'service';
  purpose: JobPurpose;
  /** The element whose event or work this job is (a timer event, a service task …). */
  elementId: string;
  definitionKey: string;
  instanceId?: string;
  /** The element instance that owns the job (the activity for a boundary timer, the scope for an event sub-process). */
  elementInstanceId?: string;
  dueAt: string;
  type?: string;
  retries: number;
  /** How often the handler has failed so far; drives the retry backoff. */
  failures?: number;
  lastError?: string;
  customHeaders?: Record<string, string>;
  /** Timer cycles: how often it has fired. */
  firedCount?: number;
  /** Timer: the schedule, as evaluated when the timer was created. */
  schedule?: unknown;
  incidentId?: string;
  rev: number;
}

export type SubscriptionPurpose = JobPurpose;

export interface SubscriptionRecord {
  id: string;
  kind: 'message' | 'signal';
  purpose: SubscriptionPurpose;
  name: string;
  correlationKey?: string;
  elementId: string;
  definitionKey: string;
  instanceId?: string;
  elementInstanceId?: string;
  rev: number;
}

/** Which part of the element's life failed, and so what a retry runs again. */
export type IncidentPhase = 'activate' | 'complete' | 'job';

export interface IncidentRecord extends Incident {
  phase: IncidentPhase;
  rev: number;
}

export interface MultiInstanceOutputRecord {
  bodyId: string;
  index: number;
  value: unknown;
}
