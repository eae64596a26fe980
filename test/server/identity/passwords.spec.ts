import { expect } from 'chai';
import { hashPassword, verifyNothing, verifyPassword } from '../../../server/identity/passwords.js';

describe('passwords', () => {
  it('hashPassword gives an argon2id PHC string that does not contain the password', async () => {
    const hash = await hashPassword('Geheim-123');
    expect(hash).to.match(/^\$argon2id\$/);
    expect(hash).not.to.contain('Geheim-123');
  });

  it('hashPassword salts: the same password hashes differently twice', async () => {
    expect(await hashPassword('Geheim-123')).not.to.equal(await hashPassword('Geheim-123'));
  });

  it('verifyPassword accepts the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('Geheim-123');
    expect(await verifyPassword(hash, 'Geheim-123')).to.equal(true);
    expect(await verifyPassword(hash, 'geheim-123')).to.equal(false);
  });

  it('verifyPassword answers false, not an exception, for a hash it cannot read', async () => {
    expect(await verifyPassword('not a hash', 'Geheim-123')).to.equal(false);
  });

  it('verifyNothing answers false for any password', async () => {
    expect(await verifyNothing('Geheim-123')).to.equal(false);
  });
});
