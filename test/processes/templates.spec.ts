/**
 * The shipped process templates (processes/*.bpmn) run end to end, straight
 * and with save → reload → continue in the middle.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../engine/index.js';
import { scenario } from '../support/scenario.js';

const processes = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'processes');
const template = (name: string): string => readFileSync(join(processes, name), 'utf8');

const approval = template('approval.bpmn');
const acknowledgment = template('acknowledgment.bpmn');
const instruction = template('instruction.bpmn');

const DAY = 24 * 60 * 60 * 1000;

async function openTasks(engine: Engine, instanceId: string) {
  return engine.listUserTasks({ instanceId, state: 'open' });
}

describe('process templates', () => {
  describe('approval', () => {
    async function cosignInOrder(engine: Engine, instanceId: string, cosigners: string[], reload: () => Promise<void>) {
      for (const cosigner of cosigners) {
        const tasks = await openTasks(engine, instanceId);
        expect(tasks, `only ${cosigner} co-signs now`).to.have.length(1);
        expect(tasks[0]).to.include({ elementId: 'cosign', name: 'Mitzeichnen', assignee: cosigner });
        await reload();
        await engine.completeUserTask(tasks[0]!.id);
      }
    }

    scenario('co-signers sign in order, then the approver approves', async (h) => {
      await h.engine.deploy(approval);
      const cosigners = ['bea', 'carl', 'dora'];
      const instance = await h.engine.startProcess('approval', { cosigners, approver: 'eva' });
      await cosignInOrder(h.engine, instance.id, cosigners, () => h.reload());
      const [task, ...rest] = await openTasks(h.engine, instance.id);
      expect(rest).to.have.length(0);
      expect(task).to.include({ elementId: 'approve', assignee: 'eva' });
      await h.reload();
      await h.engine.completeUserTask(task!.id, { approved: true, reason: 'in Ordnung' });
      const done = await h.engine.getInstance(instance.id);
      expect(done.state).to.equal('completed');
      expect(done.variables).to.include({ approved: true, reason: 'in Ordnung' });
      const ends = (await h.engine.history(instance.id)).filter((event) => event.type === 'completed' && event.elementType === 'endEvent');
      expect(ends.map((event) => event.elementId)).to.deep.equal(['approvedEnd']);
    });

    scenario('the approver rejects with a reason', async (h) => {
      await h.engine.deploy(approval);
      const cosigners = ['bea', 'carl'];
      const instance = await h.engine.startProcess('approval', { cosigners, approver: 'eva' });
      await cosignInOrder(h.engine, instance.id, cosigners, () => h.reload());
      const [task] = await openTasks(h.engine, instance.id);
      expect(task).to.include({ elementId: 'approve', assignee: 'eva' });
      await h.reload();
      await h.engine.completeUserTask(task!.id, { approved: false, reason: 'Haushaltsmittel fehlen' });
      const done = await h.engine.getInstance(instance.id);
      expect(done.state).to.equal('completed');
      expect(done.variables).to.include({ approved: false, reason: 'Haushaltsmittel fehlen' });
      const ends = (await h.engine.history(instance.id)).filter((event) => event.type === 'completed' && event.elementType === 'endEvent');
      expect(ends.map((event) => event.elementId)).to.deep.equal(['rejectedEnd']);
    });
  });

  describe('acknowledgment', () => {
    scenario('all five recipients confirm; the instance completes only after the last, with the time of each confirmation', async (h) => {
      await h.engine.deploy(acknowledgment);
      const recipients = ['anna', 'bea', 'carl', 'dora', 'emil'];
      const instance = await h.engine.startProcess('acknowledgment', { recipients });
      const tasks = await openTasks(h.engine, instance.id);
      expect(tasks.map((task) => task.assignee).sort()).to.deep.equal(recipients);
      expect(tasks.every((task) => task.name === 'Zur Kenntnis nehmen')).to.equal(true);
      // Confirm in reverse order, reloading halfway.
      const byRecipient = [...tasks].sort((a, b) => (b.assignee ?? '').localeCompare(a.assignee ?? ''));
      for (const [index, task] of byRecipient.entries()) {
        if (index === 2) await h.reload();
        expect((await h.engine.getInstance(instance.id)).state).to.equal('active');
        h.advance(60_000);
        // A client may send a time of its own; the proof takes the engine's.
        await h.engine.completeUserTask(task.id, index === 1 ? { confirmedAt: '1999-12-31T23:59:59Z' } : {});
      }
      const done = await h.engine.getInstance(instance.id);
      expect(done.state).to.equal('completed');
      // A time sent along stayed in its own task; only the collected proof reaches the process.
      expect(done.variables).not.to.have.property('confirmedAt');
      const confirmations = done.variables.confirmations as { recipient: string; confirmedAt: string }[];
      expect(confirmations).to.have.length(5);
      expect(confirmations.map((entry) => entry.recipient)).to.deep.equal(recipients);
      // emil confirmed first (minute 1), anna last (minute 5).
      const start = new Date('2026-03-02T08:00:00Z').getTime();
      // FEEL writes the engine's time in ISO 8601, without the milliseconds when they are 0.
      expect(confirmations.map((entry) => new Date(entry.confirmedAt).toISOString())).to.deep.equal(
        [5, 4, 3, 2, 1].map((minutes) => new Date(start + minutes * 60_000).toISOString()));
    });
  });

  describe('instruction', () => {
    scenario('reminds every 7 days until the employee confirms', async (h) => {
      const reminded: string[] = [];
      h.service('send-reminder', (job) => { reminded.push(String(job.variables.employee)); });
      await h.engine.deploy(instruction);
      const instance = await h.engine.startProcess('instruction', { employee: 'frank' });
      const [task] = await openTasks(h.engine, instance.id);
      expect(task).to.include({ elementId: 'confirm', name: 'Belehrung bestätigen', assignee: 'frank' });
      await h.engine.runDueJobs();
      expect(reminded).to.have.length(0);
      for (let week = 1; week <= 2; week++) {
        h.advance(7 * DAY);
        if (week === 2) await h.reload();
        await h.engine.runDueJobs();
        expect(reminded).to.deep.equal(Array(week).fill('frank'));
        expect((await openTasks(h.engine, instance.id)).map((open) => open.id)).to.deep.equal([task!.id]);
      }
      await h.engine.completeUserTask(task!.id);
      const done = await h.engine.getInstance(instance.id);
      expect(done.state).to.equal('completed');
      h.advance(7 * DAY);
      await h.engine.runDueJobs();
      expect(reminded).to.have.length(2);
    });
  });
});
