import { expect } from 'chai';
import { AuditLog } from '../../../server/audit/AuditLog.js';
import { Comments } from '../../../server/comments/Comments.js';
import { InstanceStarts } from '../../../server/identity/instanceStarts.js';
import { databaseKind } from '../../support/database.js';
import { thrownBy, useIdentityDatabase } from './support.js';

describe(`audit log, comments and instance starts on ${databaseKind}`, () => {
  const db = useIdentityDatabase();
  const at = new Date('2026-03-02T08:00:00Z');
  const entry = { at, actorId: 'b.schmidt', onBehalfOf: 'a.mueller', action: 'task.complete', objectType: 'task', objectId: 't1', instanceId: 'i1', status: 204 };

  describe('AuditLog', () => {
    it('listForInstance gives an instance’s entries in recorded order, with cursor and limit', async () => {
      const log = new AuditLog(db.knex);
      const first = await log.record({ ...entry, details: { variables: ['approved'] } });
      await log.record({ ...entry, instanceId: 'i2' });
      const third = await log.record({ at, action: 'process-instance.cancel', objectType: 'process-instance', instanceId: 'i1', status: 403 });
      const all = await log.listForInstance('i1');
      expect(all.map((record) => record.id)).to.deep.equal([first, third]);
      expect(all[0]).to.deep.equal({ id: first, ...entry, details: { variables: ['approved'] } });
      expect(all[1]).not.to.have.property('actorId');
      expect((await log.listForInstance('i1', { afterId: first })).map((record) => record.id)).to.deep.equal([third]);
      expect(await log.listForInstance('i1', { limit: 1 })).to.have.length(1);
    });

    it('records what a refused request named even where it holds U+0000 or an unpaired surrogate, each kept as U+FFFD', async () => {
      const log = new AuditLog(db.knex);
      const id = await log.record({ ...entry, objectId: 'a\u0000b\ud800', status: 400, details: { path: '/x\udc00', pair: '\ud83d\ude00', nested: ['\u0000'] } });
      const [recorded] = await log.listForInstance('i1');
      expect(recorded).to.deep.equal({ ...entry, id, objectId: 'a\uFFFDb\uFFFD', status: 400, details: { path: '/x\uFFFD', pair: '\ud83d\ude00', nested: ['\uFFFD'] } });
    });

    it('the audit_log table refuses UPDATE', async () => {
      await new AuditLog(db.knex).record(entry);
      const error = await thrownBy(async () => db.knex('audit_log').update({ status: 200 }));
      expect(error).to.have.property('message').that.contains('append-only');
      expect((await new AuditLog(db.knex).listForInstance('i1'))[0]?.status).to.equal(204);
    });

    it('the audit_log table refuses DELETE', async () => {
      await new AuditLog(db.knex).record(entry);
      const error = await thrownBy(async () => db.knex('audit_log').delete());
      expect(error).to.have.property('message').that.contains('append-only');
      expect(await new AuditLog(db.knex).listForInstance('i1')).to.have.length(1);
    });
  });

  describe('Comments', () => {
    it('listComments gives a folder’s comments oldest first, or one task’s only', async () => {
      const comments = new Comments(db.knex);
      const second = await comments.addComment({ instanceId: 'i1', taskId: 't1', authorId: 'b.schmidt', onBehalfOf: 'a.mueller', text: 'Gesehen.', at: new Date(at.getTime() + 1) });
      const first = await comments.addComment({ instanceId: 'i1', authorId: 'c.weber', text: 'Bitte bis Freitag.', at });
      await comments.addComment({ instanceId: 'i2', authorId: 'c.weber', text: 'Anderer Vorgang.', at });
      expect(await comments.listComments({ instanceId: 'i1' })).to.deep.equal([first, second]);
      expect(await comments.listComments({ taskId: 't1' })).to.deep.equal([second]);
      expect(first).not.to.have.property('taskId');
    });
  });

  describe('InstanceStarts', () => {
    it('getStart gives the recorded initiator and units; startedInAnyOf matches any shared unit', async () => {
      const starts = new InstanceStarts(db.knex);
      await starts.recordStart({ instanceId: 'i1', startedBy: 'a.mueller', unitIds: ['abt-32-1', 'amt-32'], at });
      expect(await starts.getStart('i1')).to.deep.equal({ instanceId: 'i1', startedBy: 'a.mueller', unitIds: ['abt-32-1', 'amt-32'], at });
      expect(await starts.getStart('i2')).to.equal(undefined);
      expect(await starts.startedInAnyOf('i1', ['amt-50', 'amt-32'])).to.equal(true);
      expect(await starts.startedInAnyOf('i1', ['amt-50'])).to.equal(false);
      expect(await starts.startedInAnyOf('i1', [])).to.equal(false);
    });
  });
});
