/** Fresh objects for each cell of the authorization matrix, made directly through the services (not the API under test). */
import type { TestServer } from '../../support/http.js';

export interface Fixtures {
  /** An instance started by `employee` (unit amt-1) whose user task is assigned as given, or offered to amt-1. */
  userTask(assignee?: string): Promise<{ instanceId: string; taskId: string }>;
  /** An instance waiting for the message matrix-ping with this correlation key. */
  waitingForMessage(key: string): Promise<void>;
  incident(): Promise<string>;
  user(): Promise<string>;
  /** A new user who is a member of the group. */
  userIn(groupId: string): Promise<string>;
  group(): Promise<string>;
  token(): Promise<string>;
  /** A deputyship in which `employee` is the absent colleague. */
  deputy(): Promise<string>;
  unique(prefix: string): string;
}

let counter = 0;

export function fixturesOf(server: TestServer): Fixtures {
  const { engine, identity, instanceStarts } = server.services;
  const unique = (prefix: string) => `${prefix}-${++counter}`;
  const startedByEmployee = async (processId: string, variables: Record<string, unknown>) => {
    const instance = await engine.startProcess(processId, variables);
    await instanceStarts.recordStart({ instanceId: instance.id, startedBy: 'employee', unitIds: ['amt-1'], at: server.now });
    return instance.id;
  };
  return {
    unique,
    async userTask(assignee) {
      const instanceId = await startedByEmployee('matrix-task', { assignee: assignee ?? null, candidateGroups: assignee ? [] : ['amt-1'] });
      const [task] = await engine.listUserTasks({ instanceId });
      if (!task) throw new Error('the fixture process made no user task');
      return { instanceId, taskId: task.id };
    },
    async waitingForMessage(key) {
      await startedByEmployee('matrix-message', { key });
    },
    async incident() {
      const instanceId = await startedByEmployee('matrix-incident', {});
      const [incident] = await engine.listIncidents(instanceId);
      if (!incident) throw new Error('the fixture process raised no incident');
      return incident.id;
    },
    async user() {
      return (await identity.createUser({ id: unique('user'), displayName: 'Someone', roles: ['employee'] })).id;
    },
    async userIn(groupId) {
      const id = (await identity.createUser({ id: unique('member'), displayName: 'Member', roles: ['employee'] })).id;
      await identity.addMember(groupId, id);
      return id;
    },
    async group() {
      return (await identity.createGroup({ id: unique('group'), name: 'Some unit' })).id;
    },
    async token() {
      return (await identity.createApiToken('integration', unique('token'), server.now)).id;
    },
    async deputy() {
      const row = await identity.createDeputy({
        absentUserId: 'employee', deputyUserId: 'designer', startsAt: new Date('2026-04-01T00:00:00Z'), endsAt: new Date('2026-04-10T00:00:00Z'),
      });
      return row.id;
    },
  };
}
