import { expect } from 'chai';
import { IdentityConflictError, IdentityNotFoundError, IdentityStore } from '../../../server/identity/IdentityStore.js';
import { databaseKind } from '../../support/database.js';
import { thrownBy, useIdentityDatabase } from './support.js';

describe(`IdentityStore groups on ${databaseKind}`, () => {
  const db = useIdentityDatabase();
  const store = () => new IdentityStore(db.knex);
  /** The groups a request's caller is matched with: their own and all above them. */
  const groupsOf = async (userId: string) => (await store().callerFacts(userId, new Date()))?.groups;

  /** dezernat-3 ⊃ amt-32 ⊃ abt-32-1 ⊃ sg-32-1-a, and a separate amt-50. */
  beforeEach(async () => {
    await store().createGroup({ id: 'dezernat-3', name: 'Dezernat III' });
    await store().createGroup({ id: 'amt-32', name: 'Ordnungsamt', parentId: 'dezernat-3' });
    await store().createGroup({ id: 'abt-32-1', name: 'Abteilung 32.1', parentId: 'amt-32' });
    await store().createGroup({ id: 'sg-32-1-a', name: 'Sachgebiet 32.1 A', parentId: 'abt-32-1' });
    await store().createGroup({ id: 'amt-50', name: 'Sozialamt' });
    await store().createUser({ id: 'a.mueller', displayName: 'Anna Müller', roles: ['employee'] });
    await store().createUser({ id: 'l.chef', displayName: 'Lea Chef', roles: ['supervisor'] });
  });

  it('a member of a sub-unit gives the sub-unit and all its ancestors, not siblings', async () => {
    await store().addMember('abt-32-1', 'a.mueller');
    expect(await groupsOf('a.mueller')).to.deep.equal(['abt-32-1', 'amt-32', 'dezernat-3']);
  });

  it('a user without memberships gives no groups', async () => {
    expect(await groupsOf('a.mueller')).to.deep.equal([]);
  });

  it('unitsSupervisedBy gives the direct groups and all descendants, not ancestors', async () => {
    await store().addMember('amt-32', 'l.chef');
    await store().addMember('amt-50', 'l.chef');
    expect(await store().unitsSupervisedBy('l.chef')).to.deep.equal(['abt-32-1', 'amt-32', 'amt-50', 'sg-32-1-a']);
  });

  it('updateGroup refuses to move a group under its own descendant with IdentityConflictError', async () => {
    const error = await thrownBy(() => store().updateGroup('amt-32', { parentId: 'sg-32-1-a' }));
    expect(error).to.be.instanceOf(IdentityConflictError).with.property('id', 'sg-32-1-a');
    expect((await store().getGroup('amt-32'))?.parentId).to.equal('dezernat-3');
  });

  it('updateGroup refuses to make a group its own parent', async () => {
    expect(await thrownBy(() => store().updateGroup('amt-50', { parentId: 'amt-50' }))).to.be.instanceOf(IdentityConflictError);
  });

  it('updateGroup moves and renames a group when no cycle arises; null makes it top-level', async () => {
    const moved = await store().updateGroup('amt-50', { parentId: 'dezernat-3', name: 'Amt für Soziales' });
    expect(moved).to.deep.equal({ id: 'amt-50', name: 'Amt für Soziales', parentId: 'dezernat-3' });
    expect(await store().updateGroup('amt-50', { parentId: null })).to.deep.equal({ id: 'amt-50', name: 'Amt für Soziales' });
  });

  it('updateGroup with an unknown parent throws IdentityNotFoundError', async () => {
    expect(await thrownBy(() => store().updateGroup('amt-50', { parentId: 'amt-99' }))).to.be.instanceOf(IdentityNotFoundError);
  });

  it('createGroup with an existing id throws IdentityConflictError', async () => {
    const error = await thrownBy(() => store().createGroup({ id: 'amt-32', name: 'again' }));
    expect(error).to.be.instanceOf(IdentityConflictError).with.property('id', 'amt-32');
  });

  it('deleteGroup refuses a group with child groups and deletes a leaf with its memberships', async () => {
    expect(await thrownBy(() => store().deleteGroup('abt-32-1'))).to.be.instanceOf(IdentityConflictError);
    await store().addMember('sg-32-1-a', 'a.mueller');
    await store().deleteGroup('sg-32-1-a');
    expect(await store().getGroup('sg-32-1-a')).to.equal(undefined);
    expect(await groupsOf('a.mueller')).to.deep.equal([]);
  });

  it('addMember twice keeps one membership; removeMember removes it; listMembers lists direct members', async () => {
    await store().addMember('amt-32', 'a.mueller');
    await store().addMember('amt-32', 'a.mueller');
    await store().addMember('abt-32-1', 'l.chef');
    expect((await store().listMembers('amt-32')).map((user) => user.id)).to.deep.equal(['a.mueller']);
    await store().removeMember('amt-32', 'a.mueller');
    expect(await store().listMembers('amt-32')).to.deep.equal([]);
    expect(await thrownBy(() => store().removeMember('amt-32', 'a.mueller'))).to.be.instanceOf(IdentityNotFoundError);
  });

  it('addMember of an unknown user throws IdentityNotFoundError', async () => {
    expect(await thrownBy(() => store().addMember('amt-32', 'nobody'))).to.be.instanceOf(IdentityNotFoundError);
  });
});
