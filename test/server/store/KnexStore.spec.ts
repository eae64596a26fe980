import { expect } from 'chai';
import { Engine, emptyChangeSet, type ScopeChain } from '../../../engine/index.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import type { ElementInstanceRecord } from '../../../engine/types.js';
import { storeContract } from '../../engine/store/contract.js';
import { compareStartViews } from '../../engine/startProcessView.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';

describe(`KnexStore on ${databaseKind}`, () => {
  const db = useTestDatabase();
  storeContract(`KnexStore (${databaseKind})`, () => db.current.freshStore());

  it('answers startProcess with what getInstance reads back, for every fixture process', async function () {
    this.timeout(120_000);
    expect(await compareStartViews(() => db.current.freshStore())).to.be.greaterThan(20);
  });

  it('tells the engine that two steps of one instance at once conflict on PostgreSQL (its step counter), not on PGlite', async () => {
    const store = await db.current.freshStore();
    expect(store.stepsOfAnInstanceConflict).to.equal(databaseKind === 'PostgreSQL');
  });

  const element = (id: string, scopeId: string | null): ElementInstanceRecord =>
    ({ id, instanceId: 'root', definitionKey: 'p:1', elementId: id, elementType: 'task', scopeId, tokens: 0, attached: [], rev: 1 });
  const large = 'x'.repeat(5_000);

  it('sends a scope chain\'s small variables along when asked, and names the large ones', async () => {
    const store = await db.current.freshStore();
    const changes = emptyChangeSet();
    changes.elementInstances.put.push(element('root', null), element('sub', 'root'), element('task', 'sub'));
    changes.variables.put.push(
      { scopeId: 'root', instanceId: 'root', name: 'list', value: large },
      { scopeId: 'root', instanceId: 'root', name: 'initiator', value: 'anna' },
      { scopeId: 'task', instanceId: 'root', name: 'note', value: { deep: [1, null] } },
      { scopeId: 'elsewhere', instanceId: 'root', name: 'other', value: 1 },
    );
    await store.commit(changes);
    const [withVariables, without] = (await store.load([
      { kind: 'scopeChain', id: 'task', variables: true },
      { kind: 'scopeChain', id: 'sub' },
    ])).map((entry) => entry.value as ScopeChain);
    const small = withVariables!.variables!.small.map(({ scopeId, name, value }) => ({ scopeId, name, value }));
    expect(small).to.have.deep.members([
      { scopeId: 'root', name: 'initiator', value: 'anna' },
      { scopeId: 'task', name: 'note', value: { deep: [1, null] } },
    ]);
    expect(withVariables!.variables!.large).to.deep.equal([{ scopeId: 'root', name: 'list' }]);
    expect(without).to.not.have.property('variables');
  });

  it('starts with one commit and completes a task that reads variables up the chain with one load and one commit', async () => {
    const calls: string[] = [];
    class CountingStore extends KnexStore {
      override load(...args: Parameters<KnexStore['load']>) { calls.push('load'); return super.load(...args); }
      override commit(...args: Parameters<KnexStore['commit']>) { calls.push('commit'); return super.commit(...args); }
      override getInstance(...args: Parameters<KnexStore['getInstance']>) { calls.push('getInstance'); return super.getInstance(...args); }
    }
    await db.current.freshStore();
    const engine = new Engine({ store: new CountingStore(db.current.database.knex) });
    await engine.deploy(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="two" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="first"/>
    <bpmn:userTask id="first"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`);
    calls.length = 0;
    const instance = await engine.startProcess('two', { initiator: 'anna' });
    expect(instance.activeElementIds).to.deep.equal(['first']);
    expect(calls).to.deep.equal(['commit']);
    const [first] = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    calls.length = 0;
    await engine.completeUserTask(first!.id, { step: 1 });
    expect(calls).to.deep.equal(['load', 'commit']);
    const [second] = await engine.store.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(second).to.include({ elementId: 'second', assignee: 'anna' });
  });

  it('completes a task whose step reads a large variable up the chain, loading it when read', async () => {
    const engine = new Engine({ store: await db.current.freshStore() });
    await engine.deploy(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="large" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="first"/>
    <bpmn:userTask id="first"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator + string(string length(list))"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`);
    const instance = await engine.startProcess('large', { initiator: 'anna', list: large });
    const [first] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    await engine.completeUserTask(first!.id);
    const [second] = await engine.listUserTasks({ instanceId: instance.id, state: 'open' });
    expect(second).to.include({ elementId: 'second', assignee: 'anna5000' });
  });
});
