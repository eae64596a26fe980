/**
 * Which change sets may be committed as one (footprint, disjoint) and how
 * they are merged. Two steps whose footprints are wrongly disjoint would be
 * merged and could overwrite each other's rows without a rev check failing,
 * so every part of a change set is checked to leave its mark.
 */
import { expect } from 'chai';
import { emptyChangeSet, type ChangeSet } from '../../../engine/index.js';
import type {
  ElementInstanceRecord, HistoryEvent, IncidentRecord, InstanceRecord, JobRecord, MultiInstanceOutputRecord, SubscriptionRecord,
  UserTaskRecord, VariableRecord,
} from '../../../engine/types.js';
import { disjoint, footprint, mergeChangeSets, rowCount } from '../../../server/store/changeSetBatch.js';

const at = '2026-03-02T08:00:00.000Z';

const instance = (id: string): InstanceRecord =>
  ({ id, definitionKey: 'p:1', processId: 'p', version: 1, state: 'active', startedAt: at, openIncidents: 0, rev: 1 });
const elementInstance = (id: string): ElementInstanceRecord =>
  ({ id, instanceId: 'i', definitionKey: 'p:1', elementId: 'task', elementType: 'userTask', scopeId: 'i', tokens: 0, attached: [], rev: 1 });
const variable = (scopeId: string, name = 'v'): VariableRecord => ({ scopeId, instanceId: 'i', name, value: 1 });
const userTask = (id: string): UserTaskRecord => ({
  id, elementInstanceId: id, instanceId: 'i', processId: 'p', elementId: 'task', candidateUsers: [], candidateGroups: [],
  priority: 50, state: 'open', createdAt: at, rev: 1,
});
const job = (id: string): JobRecord => ({ id, kind: 'timer', purpose: 'activity', elementId: 'timer', definitionKey: 'p:1', dueAt: at, retries: 0, rev: 1 });
const subscription = (id: string): SubscriptionRecord =>
  ({ id, kind: 'message', purpose: 'intermediate', name: 'm', elementId: 'catch', definitionKey: 'p:1', rev: 1 });
const incident = (id: string): IncidentRecord => ({
  id, instanceId: 'i', elementInstanceId: 'e', elementId: 'task', type: 'expression', message: 'failed', state: 'open',
  createdAt: at, phase: 'activate', rev: 1,
});
const output = (bodyId: string, index = 0): MultiInstanceOutputRecord => ({ bodyId, index, value: index });
const historyEvent = (elementInstanceId: string): HistoryEvent =>
  ({ at, type: 'completed', instanceId: 'i', elementId: 'task', elementType: 'userTask', elementInstanceId });

function changeSet(fill: (changes: ChangeSet) => void): ChangeSet {
  const changes = emptyChangeSet();
  fill(changes);
  return changes;
}

/** Every way a change set can touch a row, variable scope or multi-instance body, named by what it touches. */
const touches: { part: string; touch: (changes: ChangeSet, id: string) => void }[] = [
  { part: 'instances', touch: (changes, id) => changes.instances.push(instance(id)) },
  { part: 'elementInstances.put', touch: (changes, id) => changes.elementInstances.put.push(elementInstance(id)) },
  { part: 'elementInstances.remove', touch: (changes, id) => changes.elementInstances.remove.push({ id, rev: 3 }) },
  { part: 'variables.put', touch: (changes, id) => changes.variables.put.push(variable(id)) },
  { part: 'variables.removeScopes', touch: (changes, id) => changes.variables.removeScopes.push(id) },
  { part: 'userTasks', touch: (changes, id) => changes.userTasks.push(userTask(id)) },
  { part: 'jobs.put', touch: (changes, id) => changes.jobs.put.push(job(id)) },
  { part: 'jobs.remove', touch: (changes, id) => changes.jobs.remove.push({ id, rev: 2 }) },
  { part: 'subscriptions.put', touch: (changes, id) => changes.subscriptions.put.push(subscription(id)) },
  { part: 'subscriptions.remove', touch: (changes, id) => changes.subscriptions.remove.push({ id, rev: 2 }) },
  { part: 'incidents', touch: (changes, id) => changes.incidents.push(incident(id)) },
  { part: 'multiInstanceOutputs.put', touch: (changes, id) => changes.multiInstanceOutputs.put.push(output(id)) },
  { part: 'multiInstanceOutputs.removeBodies', touch: (changes, id) => changes.multiInstanceOutputs.removeBodies.push(id) },
];

const touching = (part: (typeof touches)[number], id: string): Set<string> => footprint(changeSet((changes) => part.touch(changes, id)));

describe('footprint and disjoint', () => {
  it('leaves no footprint for an empty change set, which is disjoint from any other', () => {
    expect(footprint(emptyChangeSet()).size).to.equal(0);
    expect(disjoint(footprint(emptyChangeSet()), touching(touches[0]!, 'a'))).to.equal(true);
  });

  for (const part of touches) {
    it(`marks what ${part.part} touches: the same id collides, another id does not`, () => {
      expect(touching(part, 'a').size).to.equal(1);
      expect(disjoint(touching(part, 'a'), touching(part, 'a'))).to.equal(false);
      expect(disjoint(touching(part, 'a'), touching(part, 'b'))).to.equal(true);
    });
  }

  /** Parts that write the same rows (or scope, or body) in different ways. */
  const samePlace: [string, string][] = [
    ['elementInstances.put', 'elementInstances.remove'],
    ['variables.put', 'variables.removeScopes'],
    ['jobs.put', 'jobs.remove'],
    ['subscriptions.put', 'subscriptions.remove'],
    ['multiInstanceOutputs.put', 'multiInstanceOutputs.removeBodies'],
  ];
  for (const [one, other] of samePlace) {
    it(`lets ${one} and ${other} of the same id collide`, () => {
      const [first, second] = [one, other].map((name) => touches.find((part) => part.part === name)!);
      expect(disjoint(touching(first!, 'a'), touching(second!, 'a'))).to.equal(false);
    });
  }

  it('lets variables of one scope collide whatever their names (a scope is committed as a whole)', () => {
    const named = (name: string) => footprint(changeSet((changes) => changes.variables.put.push(variable('scope', name))));
    expect(disjoint(named('amount'), named('approved'))).to.equal(false);
  });

  it('lets outputs of one multi-instance body collide whatever their index', () => {
    const atIndex = (index: number) => footprint(changeSet((changes) => changes.multiInstanceOutputs.put.push(output('body', index))));
    expect(disjoint(atIndex(0), atIndex(1))).to.equal(false);
  });

  it('keeps the same id in different tables apart (the process instance and its root element instance share an id)', () => {
    const tables = ['instances', 'elementInstances.put', 'variables.put', 'userTasks', 'jobs.put', 'subscriptions.put', 'incidents',
      'multiInstanceOutputs.put'];
    const footprints = touches.filter(({ part }) => tables.includes(part)).map((part) => touching(part, 'same'));
    expect(footprints).to.have.length(tables.length);
    footprints.forEach((one, index) => footprints.slice(index + 1).forEach((other) => expect(disjoint(one, other)).to.equal(true)));
  });

  it('leaves history out of the footprint: appended events never collide', () => {
    const history = (id: string) => footprint(changeSet((changes) => changes.history.push(historyEvent(id))));
    expect(history('e').size).to.equal(0);
    expect(disjoint(history('e'), history('e'))).to.equal(true);
  });

  it('covers every part of a change set at once', () => {
    const everything = changeSet((changes) => touches.forEach((part, index) => part.touch(changes, `id-${index}`)));
    const expected = new Set(touches.flatMap((part, index) => [...touching(part, `id-${index}`)]));
    expect(footprint(everything)).to.deep.equal(expected);
    for (const [index, part] of touches.entries()) expect(disjoint(footprint(everything), touching(part, `id-${index}`))).to.equal(false);
  });

  it('finds a shared key whichever footprint is the smaller one', () => {
    const large = footprint(changeSet((changes) => ['a', 'b', 'c', 'd'].forEach((id) => changes.userTasks.push(userTask(id)))));
    const small = footprint(changeSet((changes) => changes.userTasks.push(userTask('d'))));
    expect(disjoint(large, small)).to.equal(false);
    expect(disjoint(small, large)).to.equal(false);
  });
});

describe('mergeChangeSets', () => {
  /** A change set with one entry in every list, each marked with `tag`. */
  const tagged = (tag: string): ChangeSet => changeSet((changes) => {
    for (const part of touches) part.touch(changes, `${part.part}-${tag}`);
    changes.history.push(historyEvent(`history-${tag}`));
  });

  /** The identifying value of every entry of every list, so merged lists can be compared by content and order. */
  const listsOf = (changes: ChangeSet): Record<string, unknown[]> => ({
    instances: changes.instances.map((record) => record.id),
    elementInstancePuts: changes.elementInstances.put.map((record) => record.id),
    elementInstanceRemoves: changes.elementInstances.remove.map((removal) => removal.id),
    variablePuts: changes.variables.put.map((record) => record.scopeId),
    removedScopes: changes.variables.removeScopes,
    userTasks: changes.userTasks.map((record) => record.id),
    jobPuts: changes.jobs.put.map((record) => record.id),
    jobRemoves: changes.jobs.remove.map((removal) => removal.id),
    subscriptionPuts: changes.subscriptions.put.map((record) => record.id),
    subscriptionRemoves: changes.subscriptions.remove.map((removal) => removal.id),
    incidents: changes.incidents.map((record) => record.id),
    outputPuts: changes.multiInstanceOutputs.put.map((record) => record.bodyId),
    removedBodies: changes.multiInstanceOutputs.removeBodies,
    history: changes.history.map((event) => event.elementInstanceId),
  });

  it('returns a single part unchanged', () => {
    const part = tagged('only');
    expect(mergeChangeSets([part])).to.equal(part);
  });

  it('keeps every list of every part, in the order of the parts', () => {
    const parts = [tagged('1'), tagged('2'), tagged('3')];
    const merged = listsOf(mergeChangeSets(parts));
    const lists = parts.map(listsOf);
    for (const [list, values] of Object.entries(merged)) {
      expect(values, list).to.deep.equal(lists.flatMap((part) => part[list]));
      expect(values, list).to.have.length(3);
    }
    expect(Object.keys(merged)).to.have.length(14);
  });

  it('keeps the records themselves, with all their fields', () => {
    const parts = [tagged('1'), tagged('2')];
    const merged = mergeChangeSets(parts);
    expect(merged.userTasks).to.deep.equal([...parts[0]!.userTasks, ...parts[1]!.userTasks]);
    expect(merged.history[1]).to.equal(parts[1]!.history[0]);
  });

  it('leaves the parts as they were', () => {
    const parts = [tagged('1'), tagged('2')];
    const before = parts.map((part) => structuredClone(part));
    mergeChangeSets(parts);
    expect(parts).to.deep.equal(before);
  });

  it('merges parts with empty lists into exactly the other parts\' entries', () => {
    const merged = mergeChangeSets([emptyChangeSet(), tagged('1'), emptyChangeSet()]);
    expect(merged).to.deep.equal(tagged('1'));
  });
});

describe('rowCount', () => {
  it('counts every row a change set writes or removes, in every part', () => {
    const everything = changeSet((changes) => {
      changes.instances.push(instance('i'));
      changes.elementInstances.put.push(elementInstance('e1'));
      changes.elementInstances.remove.push({ id: 'e2', rev: 1 });
      changes.variables.put.push(variable('s1'));
      changes.variables.removeScopes.push('s2');
      changes.userTasks.push(userTask('t'));
      changes.jobs.put.push(job('j1'));
      changes.jobs.remove.push({ id: 'j2', rev: 1 });
      changes.subscriptions.put.push(subscription('m1'));
      changes.subscriptions.remove.push({ id: 'm2', rev: 1 });
      changes.incidents.push(incident('x'));
      changes.multiInstanceOutputs.put.push(output('b1'));
      changes.multiInstanceOutputs.removeBodies.push('b2');
      changes.history.push(historyEvent('e1'), historyEvent('e2'));
    });
    expect(rowCount(everything)).to.equal(15);
    expect(rowCount(emptyChangeSet())).to.equal(0);
  });
});
