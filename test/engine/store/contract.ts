/**
 * The contract every Store must pass. The in-memory store runs it here; the
 * knex store (PostgreSQL, PGlite) runs the same suite.
 */
import { expect } from 'chai';
import { ConflictError, emptyChangeSet, type ChangeSet, type ScopeChain, type Store } from '../../../engine/index.js';
import type { ElementInstanceRecord, InstanceRecord, JobRecord, SubscriptionRecord, UserTaskRecord } from '../../../engine/types.js';

export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => { store = await makeStore(); });

    it('gives each deployment of a process the next version and finds latest and exact versions', async () => {
      const first = await store.saveDeployment(deployment('d1'), [{ processId: 'p', name: 'P' }, { processId: 'q' }]);
      const second = await store.saveDeployment(deployment('d2'), [{ processId: 'p' }]);
      expect(first.map((d) => d.version)).to.deep.equal([1, 1]);
      expect(second[0]).to.include({ processId: 'p', version: 2, key: 'p:2', deploymentId: 'd2' });
      expect((await store.getDefinition('p'))?.version).to.equal(2);
      expect((await store.getDefinition('p', 1))?.name).to.equal('P');
      expect(await store.getDefinition('p', 3)).to.equal(undefined);
      expect((await store.getDefinitionByKey('q:1'))?.processId).to.equal('q');
      expect((await store.getDeployment('d1'))?.xml).to.equal('<xml d1/>');
      expect(await store.listDefinitions()).to.have.length(3);
    });

    it('loads what a commit wrote, and undefined or empty lists for what is not there', async () => {
      await store.commit(changes((c) => {
        c.elementInstances.put.push(element('root', null), element('a', 'root'), joinRecord('j', 'root', 'gateway'));
        c.variables.put.push({ scopeId: 'root', instanceId: 'root', name: 'x', value: { deep: [1, 2] } });
        c.multiInstanceOutputs.put.push({ bodyId: 'a', index: 1, value: 'second' });
      }));
      const loaded = await store.load([
        { kind: 'elementInstance', id: 'a' }, { kind: 'elementInstance', id: 'none' },
        { kind: 'children', scopeId: 'root' }, { kind: 'join', scopeId: 'root', elementId: 'gateway' },
        { kind: 'join', scopeId: 'root', elementId: 'other' }, { kind: 'variable', scopeId: 'root', name: 'x' },
        { kind: 'variable', scopeId: 'root', name: 'y' }, { kind: 'scopeVariables', scopeId: 'empty' },
        { kind: 'multiInstanceOutputs', bodyId: 'a' },
      ]);
      const values = loaded.map((entry) => entry.value);
      expect(values[0]).to.include({ id: 'a', scopeId: 'root' });
      expect(values[1]).to.equal(undefined);
      expect((values[2] as ElementInstanceRecord[]).map((r) => r.id).sort()).to.deep.equal(['a', 'j']);
      expect(values[3]).to.include({ id: 'j' });
      expect(values[4]).to.equal(undefined);
      expect(values[5]).to.deep.include({ value: { deep: [1, 2] } });
      expect(values[6]).to.equal(undefined);
      expect(values[7]).to.deep.equal([]);
      expect(values[8]).to.deep.equal([{ bodyId: 'a', index: 1, value: 'second' }]);
    });

    it('loads an element instance with every scope around it and the instance in one key', async () => {
      await store.commit(changes((c) => {
        c.instances.push(instanceRecord('root'));
        c.elementInstances.put.push(element('root', null), element('sub', 'root'), element('task', 'sub'));
      }));
      const [chain, gone] = (await store.load([{ kind: 'scopeChain', id: 'task' }, { kind: 'scopeChain', id: 'none' }])).map((e) => e.value as ScopeChain);
      expect(chain!.elementInstances.map((record) => record.id)).to.deep.equal(['task', 'sub', 'root']);
      expect(chain!.instance).to.include({ id: 'root', processId: 'p', rev: 1 });
      expect(gone).to.deep.equal({ elementInstances: [] });
    });

    it('refuses a stale update and applies nothing of that change set', async () => {
      await store.commit(changes((c) => c.elementInstances.put.push(element('a', null))));
      await store.commit(changes((c) => c.elementInstances.put.push({ ...element('a', null), tokens: 1, rev: 2 })));
      const stale = changes((c) => {
        c.elementInstances.put.push(element('b', null));
        c.elementInstances.put.push({ ...element('a', null), tokens: 9, rev: 2 });
      });
      await expectConflict(store.commit(stale));
      const [a, b] = (await store.load([{ kind: 'elementInstance', id: 'a' }, { kind: 'elementInstance', id: 'b' }])).map((e) => e.value);
      expect(a).to.include({ tokens: 1, rev: 2 });
      expect(b).to.equal(undefined);
    });

    it('refuses a second insert of the same id and the removal of a changed record', async () => {
      await store.commit(changes((c) => c.userTasks.push(userTask('t1', { assignee: 'anna' }))));
      await expectConflict(store.commit(changes((c) => c.userTasks.push(userTask('t1', {})))));
      await store.commit(changes((c) => c.jobs.put.push(job('j1', '2026-01-01T00:00:00.000Z'))));
      await expectConflict(store.commit(changes((c) => c.jobs.remove.push({ id: 'j1', rev: 7 }))));
      await store.commit(changes((c) => c.jobs.remove.push({ id: 'j1', rev: 1 })));
      expect((await store.load([{ kind: 'job', id: 'j1' }]))[0]?.value).to.equal(undefined);
    });

    it('lists the variables of many scopes at once', async () => {
      await store.commit(changes((c) => c.variables.put.push(variable('s1', 'a', 1), variable('s2', 'b', 2), variable('s3', 'c', 3))));
      const found = await store.listVariablesOfScopes(['s1', 's3', 'none']);
      expect(found.map((v) => [v.scopeId, v.name, v.value]).sort()).to.deep.equal([['s1', 'a', 1], ['s3', 'c', 3]]);
      expect(await store.listVariablesOfScopes([])).to.deep.equal([]);
    });

    it('removes a scope\'s variables before writing the variables of the same change set', async () => {
      await store.commit(changes((c) => c.variables.put.push(variable('s', 'old', 1), variable('s', 'kept', 1))));
      await store.commit(changes((c) => { c.variables.removeScopes.push('s'); c.variables.put.push(variable('s', 'kept', 2)); }));
      expect((await store.listVariables('s')).map((v) => [v.name, v.value])).to.deep.equal([['kept', 2]]);
    });

    it('lists user tasks by instance, assignee, candidate group and user, and state', async () => {
      await store.commit(changes((c) => c.userTasks.push(
        userTask('t1', { assignee: 'anna', candidateGroups: ['office'] }),
        userTask('t2', { candidateUsers: ['bob'], instanceId: 'other' }),
        userTask('t3', { assignee: 'anna', state: 'completed' }),
      )));
      const ids = async (filter: Parameters<Store['listUserTasks']>[0]) => (await store.listUserTasks(filter)).map((t) => t.id).sort();
      expect(await ids({ assignee: 'anna' })).to.deep.equal(['t1', 't3']);
      expect(await ids({ assignee: 'anna', state: 'open' })).to.deep.equal(['t1']);
      expect(await ids({ candidateGroup: 'office' })).to.deep.equal(['t1']);
      expect(await ids({ candidateUser: 'bob' })).to.deep.equal(['t2']);
      expect(await ids({ instanceId: 'other' })).to.deep.equal(['t2']);
      await store.commit(changes((c) => c.userTasks.push({ ...userTask('t1', { assignee: 'carl', candidateGroups: ['office'] }), rev: 2 })));
      expect(await ids({ assignee: 'anna' })).to.deep.equal(['t3']);
    });

    it('finds due jobs earliest first, leaving out future jobs and jobs waiting on an incident', async () => {
      await store.commit(changes((c) => c.jobs.put.push(
        job('late', '2026-01-01T10:00:00.000Z'), job('early', '2026-01-01T08:00:00.000Z'),
        job('future', '2026-01-02T00:00:00.000Z'), { ...job('stuck', '2026-01-01T07:00:00.000Z'), incidentId: 'i1' },
      )));
      const due = await store.findDueJobs('2026-01-01T12:00:00.000Z', 10);
      expect(due.map((j) => j.id)).to.deep.equal(['early', 'late']);
      expect(await store.findDueJobs('2026-01-01T12:00:00.000Z', 1)).to.have.length(1);
    });

    it('hands a due job to one claimant until its claim runs out or a step writes it', async () => {
      const at = (hour: number) => `2026-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
      await store.commit(changes((c) => c.jobs.put.push(
        job('timer', at(8)),
        { ...job('mail', at(9)), kind: 'service', type: 'send-mail' },
        { ...job('print', at(9)), kind: 'service', type: 'print' },
      )));
      const claim = (owner: string, now: number, types: string[]) =>
        store.claimDueJobs(at(now), 10, { owner, until: at(now + 1), types }).then((jobs) => jobs.map((j) => j.id));
      expect(await claim('a', 10, ['send-mail'])).to.deep.equal(['timer', 'mail']);
      expect(await claim('b', 10, ['send-mail', 'print'])).to.deep.equal(['print']);
      expect(await claim('b', 10, ['send-mail', 'print'])).to.deep.equal([]);
      expect(await claim('c', 11, ['send-mail'])).to.deep.equal(['timer', 'mail']);
      const [mail] = (await store.load([{ kind: 'job', id: 'mail' }])).map((e) => e.value as JobRecord);
      await store.commit(changes((c) => c.jobs.put.push({ ...mail!, retries: 2, rev: 2 })));
      expect(await claim('d', 11, ['send-mail'])).to.deep.equal(['mail']);
    });

    it('finds message subscriptions by name and correlation key, start events by name alone', async () => {
      await store.commit(changes((c) => c.subscriptions.put.push(
        subscription('s1', 'message', 'paid', 'A-1'), subscription('s2', 'message', 'paid', 'A-2'),
        { ...subscription('s3', 'message', 'paid'), purpose: 'startEvent', definitionKey: 'p:1' },
        subscription('s4', 'signal', 'closed'),
      )));
      expect((await store.findMessageSubscriptions('paid', 'A-1')).map((s) => s.id).sort()).to.deep.equal(['s1', 's3']);
      expect((await store.findSignalSubscriptions('closed')).map((s) => s.id)).to.deep.equal(['s4']);
      expect((await store.findStartEventTriggers('p')).subscriptions.map((s) => s.id)).to.deep.equal(['s3']);
    });

    it('keeps history in the order it was written', async () => {
      const event = (elementId: string) => ({ at: '2026-01-01T00:00:00.000Z', type: 'activated' as const, instanceId: 'i', elementId, elementType: 'task', elementInstanceId: elementId });
      await store.commit(changes((c) => c.history.push(event('a'), event('b'))));
      await store.commit(changes((c) => c.history.push(event('c'))));
      expect((await store.listHistory('i')).map((e) => e.elementId)).to.deep.equal(['a', 'b', 'c']);
    });
  });
}

async function expectConflict(promise: Promise<unknown>): Promise<void> {
  let error: unknown;
  try { await promise; } catch (caught) { error = caught; }
  expect(error).to.be.instanceOf(ConflictError);
}

function changes(fill: (changeSet: ChangeSet) => void): ChangeSet {
  const changeSet = emptyChangeSet();
  fill(changeSet);
  return changeSet;
}

function deployment(id: string) {
  return { id, deployedAt: '2026-01-01T00:00:00.000Z', xml: `<xml ${id}/>` };
}

function element(id: string, scopeId: string | null): ElementInstanceRecord {
  return { id, instanceId: 'root', definitionKey: 'p:1', elementId: id, elementType: 'task', scopeId, tokens: 0, attached: [], rev: 1 };
}

function instanceRecord(id: string): InstanceRecord {
  return { id, definitionKey: 'p:1', processId: 'p', version: 1, state: 'active', startedAt: '2026-01-01T00:00:00.000Z', openIncidents: 0, rev: 1 };
}

function joinRecord(id: string, scopeId: string, elementId: string): ElementInstanceRecord {
  return { ...element(id, scopeId), elementId, elementType: 'parallelGateway', arrivals: { f1: 1 } };
}

function variable(scopeId: string, name: string, value: unknown) {
  return { scopeId, instanceId: 'i', name, value };
}

function userTask(id: string, fields: Partial<UserTaskRecord>): UserTaskRecord {
  return {
    id, elementInstanceId: id, instanceId: 'i', processId: 'p', elementId: 'task', candidateUsers: [], candidateGroups: [],
    priority: 50, state: 'open', createdAt: '2026-01-01T00:00:00.000Z', rev: 1, ...fields,
  };
}

function job(id: string, dueAt: string): JobRecord {
  return { id, kind: 'timer', purpose: 'intermediate', elementId: 'timer', definitionKey: 'p:1', instanceId: 'i', dueAt, retries: 0, rev: 1 };
}

function subscription(id: string, kind: 'message' | 'signal', name: string, correlationKey?: string): SubscriptionRecord {
  return { id, kind, purpose: 'intermediate', name, elementId: 'event', definitionKey: 'p:1', instanceId: id, rev: 1, ...(correlationKey ? { correlationKey } : {}) };
}
