import { expect } from 'chai';
import { IdentityConflictError, IdentityNotFoundError, IdentityStore, IdentityValidationError, type Role } from '../../../server/identity/IdentityStore.js';
import { databaseKind } from '../../support/database.js';
import { thrownBy, useIdentityDatabase } from './support.js';

describe(`IdentityStore users on ${databaseKind}`, () => {
  const db = useIdentityDatabase();
  const store = () => new IdentityStore(db.knex);
  const employee = { id: 'a.mueller', displayName: 'Anna Müller', email: 'a.mueller@example.org', roles: ['employee'] as Role[] };

  it('createUser then getUser gives the user back without exposing the password hash', async () => {
    await store().createUser({ ...employee, password: 'Geheim-123' });
    const user = await store().getUser('a.mueller');
    expect(user).to.include({ id: 'a.mueller', displayName: 'Anna Müller', email: 'a.mueller@example.org', active: true, hasPassword: true });
    expect(user?.roles).to.deep.equal(['employee']);
    expect(JSON.stringify(user)).not.to.contain('argon2');
  });

  it('createUser stores an argon2id hash, not the password', async () => {
    await store().createUser({ ...employee, password: 'Geheim-123' });
    const row = await db.knex('users').where({ id: 'a.mueller' }).first() as { password_hash: string };
    expect(row.password_hash).to.match(/^\$argon2id\$/);
  });

  it('createUser with an existing id throws IdentityConflictError carrying the id', async () => {
    await store().createUser(employee);
    const error = await thrownBy(() => store().createUser({ ...employee, displayName: 'Someone else' }));
    expect(error).to.be.instanceOf(IdentityConflictError).with.property('id', 'a.mueller');
  });

  it('createUser with an unknown role throws IdentityValidationError', async () => {
    const error = await thrownBy(() => store().createUser({ ...employee, roles: ['emperor' as Role] }));
    expect(error).to.be.instanceOf(IdentityValidationError);
  });

  it('verifyLogin with the right password gives the user, with a wrong one undefined', async () => {
    await store().createUser({ ...employee, password: 'Geheim-123' });
    expect((await store().verifyLogin('a.mueller', 'Geheim-123'))?.id).to.equal('a.mueller');
    expect(await store().verifyLogin('a.mueller', 'geheim-123')).to.equal(undefined);
  });

  it('verifyLogin of an inactive user gives undefined even with the right password', async () => {
    await store().createUser({ ...employee, password: 'Geheim-123', active: false });
    expect(await store().verifyLogin('a.mueller', 'Geheim-123')).to.equal(undefined);
  });

  it('verifyLogin of an unknown user or one without a password gives undefined', async () => {
    await store().createUser(employee);
    expect(await store().verifyLogin('nobody', 'Geheim-123')).to.equal(undefined);
    expect(await store().verifyLogin('a.mueller', '')).to.equal(undefined);
  });

  it('updateUser changes the given fields only; a new password replaces the old one', async () => {
    await store().createUser({ ...employee, password: 'Geheim-123' });
    const updated = await store().updateUser('a.mueller', { roles: ['employee', 'supervisor'], email: null, password: 'Neu-456' });
    expect(updated).to.include({ displayName: 'Anna Müller', hasPassword: true });
    expect(updated.email).to.equal(undefined);
    expect(updated.roles).to.deep.equal(['employee', 'supervisor']);
    expect(await store().verifyLogin('a.mueller', 'Geheim-123')).to.equal(undefined);
    expect(await store().verifyLogin('a.mueller', 'Neu-456')).not.to.equal(undefined);
  });

  it('updateUser and deleteUser of an unknown id throw IdentityNotFoundError', async () => {
    expect(await thrownBy(() => store().updateUser('nobody', { active: false }))).to.be.instanceOf(IdentityNotFoundError);
    expect(await thrownBy(() => store().deleteUser('nobody'))).to.be.instanceOf(IdentityNotFoundError);
  });

  it('deleteUser removes the user and, by cascade, their memberships', async () => {
    await store().createUser(employee);
    await store().createGroup({ id: 'amt-32', name: 'Ordnungsamt' });
    await store().addMember('amt-32', 'a.mueller');
    await store().deleteUser('a.mueller');
    expect(await store().getUser('a.mueller')).to.equal(undefined);
    expect(await store().listMembers('amt-32')).to.deep.equal([]);
  });

  it('listUsers searches id, name and e-mail case-insensitively, taking % literally, and pages by id', async () => {
    await store().createUser(employee);
    await store().createUser({ id: 'b.schmidt', displayName: 'Bernd Schmidt', roles: [] });
    await store().createUser({ id: 'c.weber', displayName: '100% Weber', roles: [] });
    expect((await store().listUsers({ search: 'MÜLLER' })).map((user) => user.id)).to.deep.equal(['a.mueller']);
    expect((await store().listUsers({ search: '0%' })).map((user) => user.id)).to.deep.equal(['c.weber']);
    expect((await store().listUsers({ limit: 1, offset: 1 })).map((user) => user.id)).to.deep.equal(['b.schmidt']);
  });
});
