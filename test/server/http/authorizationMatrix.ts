/**
 * The expected status of every route for every caller. The callers:
 * employee and supervisor are members of amt-1, the others of amt-2; the
 * user task fixtures are started by employee in amt-1.
 */
import type { Fixtures } from './authorizationFixtures.js';

export const who = ['anonymous', 'employee', 'designer', 'supervisor', 'admin', 'integration'] as const;
export type Who = (typeof who)[number];

export interface MatrixRequest {
  /** The concrete path; the route's template when absent. */
  path?: string;
  body?: unknown;
  contentType?: string;
  /** Log in anew for this request (logout ends the session it is sent with). */
  freshSession?: boolean;
}

export interface MatrixRow {
  /** In the order of `who`. */
  statuses: [number, number, number, number, number, number];
  request(fixtures: Fixtures, caller: Who): Promise<MatrixRequest>;
}

const tinyProcess = (id: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-${id}" targetNamespace="t">
  <bpmn:process id="${id}" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>
</bpmn:definitions>`;

const plain = (request: MatrixRequest = {}) => async () => request;
const onAssignedTask = (suffix: string, body?: unknown) => async (fixtures: Fixtures) => ({ path: `/api/tasks/${(await fixtures.userTask('employee')).taskId}${suffix}`, body });
const onInstance = (suffix: string, body?: unknown) => async (fixtures: Fixtures) => ({ path: `/api/process-instances/${(await fixtures.userTask('employee')).instanceId}${suffix}`, body });
const onUser = (suffix: string, body?: unknown) => async (fixtures: Fixtures) => ({ path: `/api/users/${await fixtures.user()}${suffix}`, body });
const onGroup = (suffix: string, body?: unknown) => async (fixtures: Fixtures) => ({ path: `/api/groups/${await fixtures.group()}${suffix}`, body });

//                                    anonymous employee designer supervisor admin integration
export const matrixRows: Record<string, MatrixRow> = {
  'GET /healthz': { statuses: [200, 200, 200, 200, 200, 200], request: plain() },
  'GET /readyz': { statuses: [200, 200, 200, 200, 200, 200], request: plain() },
  'GET /metrics': { statuses: [200, 200, 200, 200, 200, 200], request: plain() },
  'GET /api/openapi.json': { statuses: [200, 200, 200, 200, 200, 200], request: plain() },

  'POST /api/login': {
    statuses: [401, 200, 200, 200, 200, 200],
    request: async (_fixtures, caller) => ({ body: { userId: caller === 'anonymous' ? 'employee' : caller, password: caller === 'anonymous' ? 'guessed-wrong' : `${caller}-password` } }),
  },
  'POST /api/logout': { statuses: [401, 204, 204, 204, 204, 204], request: plain({ freshSession: true }) },
  'GET /api/me': { statuses: [401, 200, 200, 200, 200, 200], request: plain() },

  'POST /api/deployments': {
    statuses: [401, 403, 201, 403, 403, 403],
    request: async (fixtures) => ({ body: tinyProcess(fixtures.unique('tiny')), contentType: 'application/xml' }),
  },
  'GET /api/process-definitions': { statuses: [401, 200, 200, 200, 200, 200], request: plain() },
  'GET /api/process-definitions/{processId}/xml': { statuses: [401, 200, 200, 200, 200, 200], request: plain({ path: '/api/process-definitions/matrix-task/xml' }) },

  'POST /api/process-definitions/{processId}/instances': {
    statuses: [401, 201, 201, 201, 201, 201],
    request: plain({ path: '/api/process-definitions/matrix-task/instances', body: { variables: { assignee: 'employee', candidateGroups: [] } } }),
  },
  'GET /api/process-instances': { statuses: [401, 200, 200, 200, 200, 200], request: plain() },
  'GET /api/process-instances/{id}': { statuses: [401, 200, 404, 200, 200, 404], request: onInstance('') },
  'GET /api/process-instances/{id}/user-tasks': { statuses: [401, 200, 404, 200, 200, 404], request: onInstance('/user-tasks') },
  'GET /api/process-instances/{id}/history': { statuses: [401, 200, 404, 200, 200, 404], request: onInstance('/history') },
  'POST /api/process-instances/{id}/cancel': { statuses: [401, 204, 404, 204, 204, 404], request: onInstance('/cancel', {}) },
  'GET /api/process-instances/{id}/audit': { statuses: [401, 200, 404, 200, 200, 404], request: onInstance('/audit') },
  'GET /api/process-instances/{id}/comments': { statuses: [401, 200, 404, 200, 200, 404], request: onInstance('/comments') },

  'GET /api/tasks': { statuses: [401, 200, 200, 200, 200, 200], request: plain() },
  'GET /api/tasks/{id}': { statuses: [401, 200, 404, 200, 200, 404], request: onAssignedTask('') },
  // Offered to amt-1, whose members are employee and supervisor.
  'POST /api/tasks/{id}/claim': {
    statuses: [401, 200, 404, 200, 404, 404],
    request: async (fixtures) => ({ path: `/api/tasks/${(await fixtures.userTask()).taskId}/claim`, body: {} }),
  },
  'POST /api/tasks/{id}/unclaim': { statuses: [401, 200, 404, 404, 404, 404], request: onAssignedTask('/unclaim', {}) },
  'POST /api/tasks/{id}/delegate': { statuses: [401, 200, 404, 404, 404, 404], request: onAssignedTask('/delegate', { userId: 'designer' }) },
  'POST /api/tasks/{id}/complete': { statuses: [401, 204, 404, 404, 404, 404], request: onAssignedTask('/complete', { variables: { done: true } }) },
  'POST /api/tasks/{id}/comments': { statuses: [401, 201, 404, 201, 201, 404], request: onAssignedTask('/comments', { text: 'Bitte Rückruf.' }) },
  'GET /api/tasks/{id}/comments': { statuses: [401, 200, 404, 200, 200, 404], request: onAssignedTask('/comments') },

  'POST /api/messages': {
    statuses: [401, 403, 403, 403, 204, 204],
    request: async (fixtures) => {
      const key = fixtures.unique('key');
      await fixtures.waitingForMessage(key);
      return { body: { name: 'matrix-ping', correlationKey: key } };
    },
  },
  'POST /api/signals': { statuses: [401, 403, 403, 403, 204, 204], request: plain({ body: { name: 'nobody-waits' } }) },
  'GET /api/incidents': { statuses: [401, 403, 403, 403, 200, 403], request: plain() },
  'POST /api/incidents/{id}/retry': { statuses: [401, 403, 403, 403, 204, 403], request: async (fixtures) => ({ path: `/api/incidents/${await fixtures.incident()}/retry`, body: {} }) },

  'GET /api/users': { statuses: [401, 403, 403, 403, 200, 403], request: plain() },
  'POST /api/users': {
    statuses: [401, 403, 403, 403, 201, 403],
    request: async (fixtures) => ({ body: { id: fixtures.unique('new-user'), displayName: 'Neu', roles: ['employee'] } }),
  },
  'GET /api/users/{id}': { statuses: [401, 403, 403, 403, 200, 403], request: onUser('') },
  'PATCH /api/users/{id}': { statuses: [401, 403, 403, 403, 200, 403], request: onUser('', { displayName: 'Umbenannt' }) },
  'DELETE /api/users/{id}': { statuses: [401, 403, 403, 403, 204, 403], request: onUser('') },
  'DELETE /api/users/{id}/failed-logins': { statuses: [401, 403, 403, 403, 204, 403], request: onUser('/failed-logins') },
  'GET /api/users/{id}/groups': { statuses: [401, 403, 403, 403, 200, 403], request: onUser('/groups') },
  'GET /api/users/{id}/tokens': { statuses: [401, 403, 403, 403, 200, 403], request: onUser('/tokens') },
  'POST /api/users/{id}/tokens': { statuses: [401, 403, 403, 403, 201, 403], request: onUser('/tokens', { name: 'Fachverfahren' }) },
  'DELETE /api/tokens/{id}': { statuses: [401, 403, 403, 403, 204, 403], request: async (fixtures) => ({ path: `/api/tokens/${await fixtures.token()}` }) },

  'GET /api/groups': { statuses: [401, 200, 200, 200, 200, 200], request: plain() },
  'POST /api/groups': { statuses: [401, 403, 403, 403, 201, 403], request: async (fixtures) => ({ body: { id: fixtures.unique('new-group'), name: 'Neues Amt' } }) },
  'GET /api/groups/{id}': { statuses: [401, 200, 200, 200, 200, 200], request: onGroup('') },
  'PATCH /api/groups/{id}': { statuses: [401, 403, 403, 403, 200, 403], request: onGroup('', { name: 'Umbenannt' }) },
  'DELETE /api/groups/{id}': { statuses: [401, 403, 403, 403, 204, 403], request: onGroup('') },
  'GET /api/groups/{id}/members': { statuses: [401, 200, 200, 200, 200, 200], request: onGroup('/members') },
  'PUT /api/groups/{id}/members/{userId}': {
    statuses: [401, 403, 403, 403, 204, 403],
    request: async (fixtures) => ({ path: `/api/groups/${await fixtures.group()}/members/${await fixtures.user()}` }),
  },
  'DELETE /api/groups/{id}/members/{userId}': {
    statuses: [401, 403, 403, 403, 204, 403],
    request: async (fixtures) => ({ path: `/api/groups/amt-1/members/${await fixtures.userIn('amt-1')}` }),
  },

  'GET /api/deputies': { statuses: [401, 200, 200, 200, 200, 200], request: plain() },
  // Everyone may register their own absence; anonymous callers are nobody.
  'POST /api/deputies': {
    statuses: [401, 201, 201, 201, 201, 201],
    request: async (_fixtures, caller) => ({
      body: { absentUserId: caller === 'anonymous' ? 'employee' : caller, deputyUserId: caller === 'admin' ? 'employee' : 'admin', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-08T00:00:00Z' },
    }),
  },
  // The row's absent colleague is employee: they and admins may remove it.
  'DELETE /api/deputies/{id}': { statuses: [401, 204, 403, 403, 204, 403], request: async (fixtures) => ({ path: `/api/deputies/${await fixtures.deputy()}` }) },
};
