/**
 * The step cache answers a load only with what the commits and loads it was
 * told of leave beyond doubt; everything else is a miss that goes to the
 * database. A wrong answer here would be a step running on a state that is
 * not the stored one, so the misses are checked as closely as the hits.
 */
import { expect } from 'chai';
import { emptyChangeSet, type ChangeSet, type LoadKey, type ScopeChain } from '../../../engine/index.js';
import type { ElementInstanceRecord, InstanceRecord, UserTaskRecord, VariableRecord } from '../../../engine/types.js';
import { StepCache } from '../../../server/store/StepCache.js';

const at = '2026-03-02T08:00:00.000Z';

const instance = (id: string, rev = 1): InstanceRecord =>
  ({ id, definitionKey: 'p:1', processId: 'p', version: 1, state: 'active', startedAt: at, openIncidents: 0, rev });
const element = (id: string, instanceId: string, scopeId: string | null, rev = 1): ElementInstanceRecord =>
  ({ id, instanceId, definitionKey: 'p:1', elementId: scopeId ? 'task' : 'p', elementType: scopeId ? 'userTask' : 'process', scopeId, tokens: 0, attached: [], rev });
const variable = (scopeId: string, instanceId: string, name: string, value: unknown): VariableRecord => ({ scopeId, instanceId, name, value });
const userTask = (id: string, instanceId: string, rev = 1): UserTaskRecord => ({
  id, elementInstanceId: id, instanceId, processId: 'p', elementId: 'task', candidateUsers: [], candidateGroups: [],
  priority: 50, state: rev === 1 ? 'open' : 'completed', createdAt: at, rev,
});

function changeSet(fill: (changes: ChangeSet) => void): ChangeSet {
  const changes = emptyChangeSet();
  fill(changes);
  return changes;
}

/** A start: instance `i`, its process scope with `initiator`, and a user task `t` in it. */
function started(id = 'i'): ChangeSet {
  return changeSet((changes) => {
    changes.instances.push(instance(id));
    changes.elementInstances.put.push(element(id, id, null), element(`${id}-t`, id, id));
    changes.variables.put.push(variable(id, id, 'initiator', 'anna'));
    changes.userTasks.push(userTask(`${id}-t`, id));
  });
}

/** The task `t` of instance `i` completed, the next one `u` created, a variable set. */
function completed(id = 'i'): ChangeSet {
  return changeSet((changes) => {
    changes.elementInstances.remove.push({ id: `${id}-t`, rev: 1 });
    changes.elementInstances.put.push(element(id, id, null, 2), element(`${id}-u`, id, id));
    changes.variables.removeScopes.push(`${id}-t`);
    changes.variables.put.push(variable(id, id, 'decision', 'yes'));
    changes.userTasks.push(userTask(`${id}-t`, id, 2), userTask(`${id}-u`, id));
  });
}

const chainKey = (id: string, variables = true): LoadKey => ({ kind: 'scopeChain', id, variables });

function chainOf(cache: StepCache, id: string, variables = true): ScopeChain | undefined {
  return cache.answer([chainKey(id, variables)])?.[0]?.value as ScopeChain | undefined;
}

describe('StepCache', () => {
  it('knows nothing at first', () => {
    const cache = new StepCache();
    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }])).to.equal(undefined);
    expect(cache.answer([chainKey('i-t')])).to.equal(undefined);
    expect(cache.answer([])).to.deep.equal([]);
  });

  it('answers the next step of an instance from what the commit wrote', () => {
    const cache = new StepCache();
    cache.rememberCommitted(started());

    const answers = cache.answer([{ kind: 'userTask', id: 'i-t' }, chainKey('i-t'), { kind: 'instance', id: 'i' }, { kind: 'elementInstance', id: 'i' }]);
    expect(answers?.map(({ key }) => key.kind)).to.deep.equal(['userTask', 'scopeChain', 'instance', 'elementInstance']);
    expect(answers?.[0]?.value).to.deep.equal(userTask('i-t', 'i'));
    const chain = answers?.[1]?.value as ScopeChain;
    expect(chain.elementInstances.map(({ id }) => id)).to.deep.equal(['i-t', 'i']);
    expect(chain.instance).to.deep.equal(instance('i'));
    expect(chain.variables).to.deep.equal({ small: [variable('i', 'i', 'initiator', 'anna')], large: [] });
    expect(answers?.[2]?.value).to.deep.equal(instance('i'));
    expect(answers?.[3]?.value).to.deep.equal(element('i', 'i', null));
    expect(chainOf(cache, 'i-t', false)).to.not.have.property('variables');
  });

  it('follows later commits: new revs, removed element instances, variables set', () => {
    const cache = new StepCache();
    cache.rememberCommitted(started());
    cache.rememberCommitted(completed());

    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }])?.[0]?.value).to.include({ state: 'completed', rev: 2 });
    expect(cache.answer([chainKey('i-t')]), 'the removed element instance').to.equal(undefined);
    expect(cache.answer([{ kind: 'elementInstance', id: 'i-t' }])).to.equal(undefined);
    const chain = chainOf(cache, 'i-u');
    expect(chain?.elementInstances.map(({ id, rev }) => [id, rev])).to.deep.equal([['i-u', 1], ['i', 2]]);
    expect(chain?.variables?.small.map(({ name, value }) => [name, value])).to.deep.equal([['decision', 'yes'], ['initiator', 'anna']]);
  });

  it('misses the whole request when one key is not known', () => {
    const cache = new StepCache();
    cache.rememberCommitted(started());
    for (const key of [{ kind: 'job', id: 'j' }, { kind: 'userTask', id: 'other' }, { kind: 'scopeVariables', scopeId: 'i' },
      { kind: 'children', scopeId: 'i' }, { kind: 'instance', id: 'other' }] as LoadKey[]) {
      expect(cache.answer([{ kind: 'userTask', id: 'i-t' }, key]), key.kind).to.equal(undefined);
    }
  });

  it('does not answer for variables of a scope it has not followed since the scope was made', () => {
    const cache = new StepCache();
    // The scope `i` was made elsewhere (rev 2): its element instance is known, its variables are not.
    cache.rememberCommitted(changeSet((changes) => {
      changes.elementInstances.put.push(element('i', 'i', null, 2), element('i-t', 'i', 'i'));
      changes.instances.push(instance('i', 2));
      changes.variables.put.push(variable('i', 'i', 'decision', 'yes'));
    }));
    expect(cache.answer([chainKey('i-t')])).to.equal(undefined);
    expect(chainOf(cache, 'i-t', false)?.elementInstances.map(({ id }) => id)).to.deep.equal(['i-t', 'i']);
  });

  it('no longer answers for a scope whose variables were all removed', () => {
    const cache = new StepCache();
    cache.rememberCommitted(started());
    cache.rememberCommitted(changeSet((changes) => {
      changes.elementInstances.put.push(element('i', 'i', null, 2));
      changes.variables.removeScopes.push('i');
    }));
    expect(cache.answer([chainKey('i-t')])).to.equal(undefined);
  });

  it('names large values instead of sending them, as umlauf_load does', () => {
    const cache = new StepCache();
    const long = 'x'.repeat(3000);
    const medium = 'y'.repeat(2000);
    cache.rememberCommitted(changeSet((changes) => {
      changes.instances.push(instance('i'));
      changes.elementInstances.put.push(element('i', 'i', null), element('i-t', 'i', 'i'));
      changes.variables.put.push(variable('i', 'i', 'a-long', long), variable('i-t', 'i', 'local', 1));
      // Nine values of 2,002 characters as JSON: the ninth goes beyond 16 kB in all, so it is named only.
      for (let index = 0; index < 9; index++) changes.variables.put.push(variable('i', 'i', `m${index}`, medium));
    }));
    const variables = chainOf(cache, 'i-t')?.variables;
    expect(variables?.small.map(({ name }) => name)).to.deep.equal(['local', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(variables?.large).to.deep.equal([{ scopeId: 'i', name: 'a-long' }, { scopeId: 'i', name: 'm8' }]);
  });

  it('keeps what a load from the database answered', () => {
    const cache = new StepCache();
    const chain: ScopeChain = {
      elementInstances: [element('i-t', 'i', 'i'), element('i', 'i', null, 3)],
      instance: instance('i'),
      variables: { small: [variable('i', 'i', 'initiator', 'anna')], large: [{ scopeId: 'i', name: 'big' }] },
    };
    const since = cache.beginLoad();
    cache.rememberLoaded(since, [{ key: { kind: 'userTask', id: 'i-t' }, value: userTask('i-t', 'i') }, { key: chainKey('i-t'), value: chain },
      { key: { kind: 'userTask', id: 'gone' }, value: undefined }]);

    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }, chainKey('i-t')])?.map(({ value }) => value)).to.deep.equal([userTask('i-t', 'i'), chain]);
    expect(cache.answer([{ kind: 'userTask', id: 'gone' }]), 'absent records are asked again').to.equal(undefined);
  });

  it('does not keep a load that may predate a commit of the same instance that landed while it ran', () => {
    const cache = new StepCache();
    const before = started();
    cache.rememberCommitted(before);
    cache.forget(before);
    const stale: ScopeChain = { elementInstances: [element('i-t', 'i', 'i'), element('i', 'i', null)], instance: instance('i'), variables: { small: [], large: [] } };
    const otherChain: ScopeChain = { elementInstances: [element('k-t', 'k', 'k'), element('k', 'k', null)], instance: instance('k'), variables: { small: [], large: [] } };

    const since = cache.beginLoad();
    cache.rememberCommitted(completed());
    cache.rememberLoaded(since, [{ key: chainKey('i-t'), value: stale }, { key: { kind: 'userTask', id: 'i-t' }, value: userTask('i-t', 'i') },
      { key: chainKey('k-t'), value: otherChain }]);

    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }])?.[0]?.value, 'the commit, not the load').to.include({ rev: 2 });
    expect(cache.answer([chainKey('i-t')]), 'the removed task is not brought back').to.equal(undefined);
    expect(chainOf(cache, 'k-t'), 'another instance').to.deep.equal(otherChain);
  });

  it('does not keep a load that may predate a commit that failed while it ran', () => {
    const cache = new StepCache();
    const since = cache.beginLoad();
    cache.forget(completed());
    cache.rememberLoaded(since, [{ key: { kind: 'userTask', id: 'i-t' }, value: userTask('i-t', 'i') }]);
    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }])).to.equal(undefined);

    // Once no load that began before it is running, the instance is remembered again.
    cache.rememberLoaded(cache.beginLoad(), [{ key: { kind: 'userTask', id: 'i-t' }, value: userTask('i-t', 'i') }]);
    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }])).to.not.equal(undefined);
  });

  it('forgets every record of the instances a failed change set touches, and only those', () => {
    const cache = new StepCache();
    cache.rememberCommitted(started('i'));
    cache.rememberCommitted(started('k'));
    cache.forget(completed('i'));
    expect(cache.answer([{ kind: 'userTask', id: 'i-t' }])).to.equal(undefined);
    expect(cache.answer([{ kind: 'instance', id: 'i' }])).to.equal(undefined);
    expect(cache.answer([chainKey('k-t'), { kind: 'userTask', id: 'k-t' }])).to.not.equal(undefined);
    expect(cache.size).to.equal(1);
  });

  it('drops the least recently written instances when it holds too many records', () => {
    // A started instance holds five records: two element instances, their two variable scopes and the user task.
    const cache = new StepCache(12);
    cache.rememberCommitted(started('a'));
    cache.rememberCommitted(started('b'));
    cache.rememberCommitted(completed('a'));
    cache.rememberCommitted(started('c'));
    expect(cache.size).to.equal(2);
    expect(cache.answer([{ kind: 'userTask', id: 'b-t' }]), 'least recently written').to.equal(undefined);
    expect(cache.answer([{ kind: 'userTask', id: 'a-u' }, { kind: 'userTask', id: 'c-t' }])).to.not.equal(undefined);
  });

  describe('counted (PostgreSQL: other servers write too)', () => {
    const seqs = (entries: [string, number][]) => new Map(entries);

    it('knows a new instance at step counter 0, and each commit that follows at the counter it left', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      expect(cache.answerCounted([{ kind: 'userTask', id: 'i-t' }])?.stepSeqs).to.deep.equal(seqs([['i', 0]]));
      cache.rememberCommitted(completed(), seqs([['i', 1]]));
      const answer = cache.answerCounted([chainKey('i-u')]);
      expect(answer?.stepSeqs).to.deep.equal(seqs([['i', 1]]));
      expect((answer?.loaded[0]?.value as ScopeChain).variables?.small.map(({ name }) => name)).to.deep.equal(['decision', 'initiator']);
    });

    it('drops an instance when a commit left a counter that skipped one: another server wrote in between', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      cache.rememberCommitted(completed(), seqs([['i', 2]]));
      expect(cache.answerCounted([{ kind: 'userTask', id: 'i-u' }])).to.equal(undefined);
      expect(cache.answerCounted([{ kind: 'instance', id: 'i' }])).to.equal(undefined);
    });

    it('names the instances whose counters a commit raises, and leaves the database only the removals it does not know', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      const removals = changeSet((changes) => {
        changes.elementInstances.remove.push({ id: 'i-t', rev: 1 }, { id: 'elsewhere', rev: 3 });
        changes.jobs.remove.push({ id: 'timer', rev: 1 });
        changes.subscriptions.remove.push({ id: 'message', rev: 2 });
        changes.history.push({ at, type: 'completed', instanceId: 'k', elementId: 'task', elementType: 'userTask', elementInstanceId: 'k-t' });
      });
      expect(cache.countedInstancesOf(removals)).to.deep.equal({
        steps: ['i', 'k'],
        removalsToLookUp: { elementInstances: [{ id: 'elsewhere', rev: 3 }], jobs: [{ id: 'timer', rev: 1 }], subscriptions: [{ id: 'message', rev: 2 }] },
      });
    });

    it('drops an instance a commit gave no counter for', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      cache.rememberCommitted(completed());
      expect(cache.answerCounted([{ kind: 'instance', id: 'i' }])).to.equal(undefined);
    });

    it('drops what the database says is outdated', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      cache.rememberCommitted(started('j'));
      cache.dropOutdated(['i']);
      expect(cache.answerCounted([{ kind: 'instance', id: 'i' }])).to.equal(undefined);
      expect(cache.answerCounted([{ kind: 'instance', id: 'j' }])?.stepSeqs).to.deep.equal(seqs([['j', 0]]));
    });

    it('keeps a load only with the counter it was read at, and starts over when that moved on', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      const chain: ScopeChain = {
        elementInstances: [element('i-v', 'i', 'i'), element('i', 'i', null, 3)], instance: instance('i'),
        variables: { small: [variable('i', 'i', 'decision', 'no')], large: [] },
      };
      cache.rememberLoaded(cache.beginLoad(), [{ key: chainKey('i-v'), value: chain }]);
      expect(cache.answerCounted([chainKey('i-v')]), 'no counter: not kept').to.equal(undefined);

      cache.rememberLoaded(cache.beginLoad(), [{ key: chainKey('i-v'), value: chain }], seqs([['i', 5]]));
      const answer = cache.answerCounted([chainKey('i-v')]);
      expect(answer?.stepSeqs).to.deep.equal(seqs([['i', 5]]));
      expect((answer?.loaded[0]?.value as ScopeChain).variables?.small).to.deep.equal([variable('i', 'i', 'decision', 'no')]);
      expect(cache.answerCounted([{ kind: 'userTask', id: 'i-t' }]), 'known only at counter 0').to.equal(undefined);
    });

    it('adds a load read at the counter it knows to what it knows', () => {
      const cache = new StepCache(undefined, true);
      cache.rememberCommitted(started());
      cache.rememberLoaded(cache.beginLoad(), [{ key: { kind: 'userTask', id: 'i-x' }, value: userTask('i-x', 'i') }], seqs([['i', 0]]));
      expect(cache.answerCounted([{ kind: 'userTask', id: 'i-x' }, { kind: 'userTask', id: 'i-t' }])?.stepSeqs).to.deep.equal(seqs([['i', 0]]));
    });
  });
});

