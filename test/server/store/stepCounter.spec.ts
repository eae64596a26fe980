/**
 * umlauf_commit_rows (migrations/013; as umlauf_commit_counted of 005, 006 and 007 did) raises the step counter of
 * every instance a change set touches, also one it only removes rows of, and
 * answers the counters it left; it refuses a change set whose step read an
 * instance that has moved on since. The step cache on PostgreSQL relies on it.
 */
import { expect } from 'chai';
import { emptyChangeSet, Engine, type ChangeSet } from '../../../engine/index.js';
import type { CountedInstances } from '../../../server/store/StepCache.js';
import { commitArguments, commitStatement } from '../../../server/store/stepRows.js';
import { useTestDatabase } from '../../support/database.js';

const oneTask = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="counted" targetNamespace="counted">
  <bpmn:process id="one-task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:userTask id="task"/>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

describe('umlauf_commit_rows: the step counters', () => {
  const db = useTestDatabase();

  async function stepSeqOf(instanceId: string): Promise<number> {
    const row = await db.current.database.knex('instances').where({ id: instanceId }).first('step_seq') as { step_seq: string | number };
    return Number(row.step_seq);
  }

  /** Without `counted`, the instance of every removal is read from its row. */
  async function commitCounted(changes: ChangeSet, counted?: Partial<CountedInstances> & { expectedStepSeqs?: Record<string, number> }): Promise<Record<string, number>> {
    const lookUpAll = { elementInstances: changes.elementInstances.remove, jobs: changes.jobs.remove, subscriptions: changes.subscriptions.remove };
    const values = commitArguments(
      changes,
      { steps: counted?.steps ?? [], removalsToLookUp: counted?.removalsToLookUp ?? lookUpAll },
      new Map(Object.entries(counted?.expectedStepSeqs ?? {})),
    );
    const result = await db.current.database.knex.raw(commitStatement.replace(/\$\d+/g, '?'), values) as { rows: { answers: Record<string, number> }[] };
    return result.rows[0]!.answers;
  }

  /** Instances waiting at their user task, on an emptied database. */
  async function startedInstances(count: number): Promise<{ instanceId: string; taskElementId: string }[]> {
    const store = await db.current.freshStore();
    const engine = new Engine({ store });
    await engine.deploy(oneTask);
    const started: { instanceId: string; taskElementId: string }[] = [];
    for (let index = 0; index < count; index++) {
      const instance = await engine.startProcess('one-task');
      const [task] = await store.listUserTasks({ instanceId: instance.id });
      started.push({ instanceId: instance.id, taskElementId: task!.elementInstanceId });
    }
    return started;
  }

  const startedInstance = async () => (await startedInstances(1))[0]!;

  it('raises the counter of the instances named in steps, and answers the counters it left', async () => {
    const { instanceId } = await startedInstance();
    const before = await stepSeqOf(instanceId);
    expect(await commitCounted(emptyChangeSet(), { steps: [instanceId] })).to.deep.equal({ [instanceId]: before + 1 });
    expect(await stepSeqOf(instanceId)).to.equal(before + 1);
  });

  it('raises the counter of an instance whose rows the change set only removes', async () => {
    const { instanceId, taskElementId } = await startedInstance();
    const before = await stepSeqOf(instanceId);
    const changes = emptyChangeSet();
    changes.elementInstances.remove.push({ id: taskElementId, rev: 1 });
    expect(await commitCounted(changes)).to.deep.equal({ [instanceId]: before + 1 });
    expect(await db.current.database.knex('element_instances').where({ id: taskElementId })).to.have.length(0);
  });

  it('reads the instance of only the removals it is asked to look up, when it is given that list', async () => {
    const started = await startedInstances(2);
    const [first, second] = [started[0]!, started[1]!];
    const [firstBefore, secondBefore] = [await stepSeqOf(first.instanceId), await stepSeqOf(second.instanceId)];
    const changes = emptyChangeSet();
    changes.elementInstances.remove.push({ id: first.taskElementId, rev: 1 }, { id: second.taskElementId, rev: 1 });
    const counters = await commitCounted(changes, {
      steps: [],
      removalsToLookUp: { elementInstances: [{ id: second.taskElementId, rev: 1 }], jobs: [], subscriptions: [] },
    });
    expect(counters).to.deep.equal({ [second.instanceId]: secondBefore + 1 });
    expect(await stepSeqOf(first.instanceId)).to.equal(firstBefore);
    expect(await db.current.database.knex('element_instances').whereIn('id', [first.taskElementId, second.taskElementId])).to.have.length(0);
  });

  it('lands when the instances the step read are at the counters it expects, raising only those it writes', async () => {
    const started = await startedInstances(2);
    const [written, read] = [started[0]!.instanceId, started[1]!.instanceId];
    const [writtenBefore, readBefore] = [await stepSeqOf(written), await stepSeqOf(read)];
    const changes = emptyChangeSet();
    changes.elementInstances.remove.push({ id: started[0]!.taskElementId, rev: 1 });
    const counters = await commitCounted(changes, { steps: [written], expectedStepSeqs: { [written]: writtenBefore, [read]: readBefore } });
    expect(counters).to.deep.equal({ [written]: writtenBefore + 1 });
    expect(await stepSeqOf(read)).to.equal(readBefore);
    expect(await db.current.database.knex('element_instances').where({ id: started[0]!.taskElementId })).to.have.length(0);
  });

  for (const which of ['writes', 'only read'] as const) {
    it(`refuses a change set, landing nothing, when an instance its step ${which} has moved on from the counter it expects`, async () => {
      const started = await startedInstances(2);
      const [written, read] = [started[0]!.instanceId, started[1]!.instanceId];
      const [writtenBefore, readBefore] = [await stepSeqOf(written), await stepSeqOf(read)];
      const expected = which === 'writes' ? { [written]: writtenBefore - 1, [read]: readBefore } : { [written]: writtenBefore, [read]: readBefore + 1 };
      const changes = emptyChangeSet();
      changes.elementInstances.remove.push({ id: started[0]!.taskElementId, rev: 1 });
      const failure = await commitCounted(changes, { steps: [written], expectedStepSeqs: expected }).then(() => undefined, (error: unknown) => error);
      expect((failure as { code?: string }).code).to.equal('UM409');
      expect([await stepSeqOf(written), await stepSeqOf(read)]).to.deep.equal([writtenBefore, readBefore]);
      expect(await db.current.database.knex('element_instances').where({ id: started[0]!.taskElementId })).to.have.length(1);
    });
  }

  it('raises nothing when the change set does not land', async () => {
    const { instanceId, taskElementId } = await startedInstance();
    const before = await stepSeqOf(instanceId);
    const changes = emptyChangeSet();
    changes.elementInstances.remove.push({ id: taskElementId, rev: 7 });
    const failure = await commitCounted(changes, { steps: [instanceId] }).then(() => undefined, (error: unknown) => error);
    expect((failure as { code?: string }).code).to.equal('UM409');
    expect(await stepSeqOf(instanceId)).to.equal(before);
  });
});

describe('umlauf_step_seqs', () => {
  const db = useTestDatabase();

  it('answers the step counters of the instances asked for, reading them by key however few rows there are', async () => {
    const store = await db.current.freshStore();
    const engine = new Engine({ store });
    await engine.deploy(oneTask);
    const [first, second] = [await engine.startProcess('one-task'), await engine.startProcess('one-task')];
    await db.current.database.knex('instances').where({ id: second.id }).update({ step_seq: 5 });
    // A table this small is scanned whole by a plain query: the function must not. The counts of this
    // connection's scans not yet reported are read before and after, on the one connection of a transaction.
    const { counters, seqScans, indexScans } = await db.current.database.knex.transaction(async (trx) => {
      const scans = async () => {
        const stats = await trx.raw("select seq_scan, idx_scan from pg_stat_xact_user_tables where relname = 'instances'") as { rows: { seq_scan: string; idx_scan: string }[] };
        return { seq: Number(stats.rows[0]?.seq_scan ?? 0), index: Number(stats.rows[0]?.idx_scan ?? 0) };
      };
      const before = await scans();
      const result = await trx.raw('select id, step_seq from umlauf_step_seqs(?::text[])', [[first.id, second.id, 'no-such-instance']]) as { rows: { id: string; step_seq: string | number }[] };
      const after = await scans();
      return {
        counters: Object.fromEntries(result.rows.map((row) => [row.id, Number(row.step_seq)])),
        seqScans: after.seq - before.seq,
        indexScans: after.index - before.index,
      };
    });
    expect(counters).to.deep.equal({ [first.id]: 0, [second.id]: 5 });
    expect(seqScans).to.equal(0);
    expect(indexScans).to.be.greaterThan(0);
  });
});
