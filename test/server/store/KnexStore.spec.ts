import { storeContract } from '../../engine/store/contract.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';

describe(`KnexStore on ${databaseKind}`, () => {
  const db = useTestDatabase();
  storeContract(`KnexStore (${databaseKind})`, () => db.current.freshStore());
});
