/**
 * umlauf_commit_counted (migrations/005) raises the step counter of every
 * instance a change set touches, also one it only removes rows of, and
 * answers the counters it left; the step cache on PostgreSQL relies on it.
 */
import { expect } from 'chai';
import { emptyChangeSet, Engine, type ChangeSet } from '../../../engine/index.js';
import { changeSetRows } from '../../../server/store/stepRows.js';
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

describe('umlauf_commit_counted', () => {
  const db = useTestDatabase();

  async function stepSeqOf(instanceId: string): Promise<number> {
    const row = await db.current.database.knex('instances').where({ id: instanceId }).first('step_seq') as { step_seq: string | number };
    return Number(row.step_seq);
  }

  async function commitCounted(changes: ChangeSet, steps?: string[]): Promise<Record<string, number>> {
    const result = await db.current.database.knex.raw('select umlauf_commit_counted(?::jsonb) as counters', [JSON.stringify(changeSetRows(changes, steps))]) as { rows: { counters: Record<string, number> }[] };
    return result.rows[0]!.counters;
  }

  async function startedInstance(): Promise<{ instanceId: string; taskElementId: string }> {
    const store = await db.current.freshStore();
    const engine = new Engine({ store });
    await engine.deploy(oneTask);
    const instance = await engine.startProcess('one-task');
    const [task] = await store.listUserTasks({ instanceId: instance.id });
    return { instanceId: instance.id, taskElementId: task!.elementInstanceId };
  }

  it('raises the counter of the instances named in steps, and answers the counters it left', async () => {
    const { instanceId } = await startedInstance();
    const before = await stepSeqOf(instanceId);
    expect(await commitCounted(emptyChangeSet(), [instanceId])).to.deep.equal({ [instanceId]: before + 1 });
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

  it('raises nothing when the change set does not land', async () => {
    const { instanceId, taskElementId } = await startedInstance();
    const before = await stepSeqOf(instanceId);
    const changes = emptyChangeSet();
    changes.elementInstances.remove.push({ id: taskElementId, rev: 7 });
    const failure = await commitCounted(changes, [instanceId]).then(() => undefined, (error: unknown) => error);
    expect((failure as { code?: string }).code).to.equal('UM409');
    expect(await stepSeqOf(instanceId)).to.equal(before);
  });
});
