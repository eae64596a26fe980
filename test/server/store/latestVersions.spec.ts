/**
 * The latest version of each process, kept in memory so that a start does
 * not ask the database first (server/store/latestVersions.ts). On PostgreSQL,
 * where another server may deploy at any time, the start's commit confirms
 * the version it took (umlauf_commit_rows, migrations/012 and 013), and a start
 * refused for it runs again on the newer version.
 */
import { expect } from 'chai';
import { emptyChangeSet, Engine, type DefinitionRecord, type StepRun } from '../../../engine/index.js';
import { KnexStore } from '../../../server/store/KnexStore.js';
import { LatestVersions } from '../../../server/store/latestVersions.js';
import { openDatabase, type Database } from '../../../server/store/database.js';
import { commitArguments, commitStatement } from '../../../server/store/stepRows.js';
import { databaseKind, databaseUrl, useTestDatabase } from '../../support/database.js';
import { StepFunctionTap } from './stepFunctionTap.js';
import { ConflictCountingStore } from './conflictCountingStore.js';

const oneTask = (name: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="latest" targetNamespace="latest">
  <bpmn:process id="one-task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:userTask id="task" name="${name}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

const definition = (version: number): DefinitionRecord => ({
  key: `p:${version}`, processId: 'p', version, deploymentId: `d${version}`, deployedAt: '2026-11-22T00:00:00.000Z',
});

describe('LatestVersions', () => {
  /** Latest versions over a database that holds `stored`, counting the questions asked of it. */
  function latestVersions(confirmedAtCommit: boolean, stored: { latest: DefinitionRecord | undefined }) {
    const asked: string[] = [];
    const versions = new LatestVersions(new Map(), confirmedAtCommit, async (processId) => {
      asked.push(processId);
      return stored.latest;
    });
    return { versions, asked };
  }

  it('where this process is the one writer, asks the database once and then answers from memory', async () => {
    const { versions, asked } = latestVersions(false, { latest: definition(1) });
    expect((await versions.latest('p'))?.version).to.equal(1);
    expect((await versions.latest('p', {}))?.version).to.equal(1);
    expect(asked).to.deep.equal(['p']);
    expect(versions.takenBy({})).to.deep.equal(new Map());
  });

  it('where others write, answers a run from memory and notes the version for its commit, once', async () => {
    const { versions, asked } = latestVersions(true, { latest: definition(1) });
    const run: StepRun = {};
    await versions.latest('p', {});
    expect((await versions.latest('p', run))?.version).to.equal(1);
    expect(asked).to.deep.equal(['p']);
    expect(versions.takenBy(run)).to.deep.equal(new Map([['p', 1]]));
    expect(versions.takenBy(run)).to.deep.equal(new Map());
  });

  it('where others write, asks the database for a question without a run, which nothing would confirm', async () => {
    const { versions, asked } = latestVersions(true, { latest: definition(1) });
    await versions.latest('p', {});
    await versions.latest('p');
    expect(asked).to.deep.equal(['p', 'p']);
  });

  it('keeps the newest version it saw, and forgets only the version a refused commit took', async () => {
    const stored = { latest: definition(1) as DefinitionRecord | undefined };
    const { versions, asked } = latestVersions(true, stored);
    await versions.latest('p', {});
    versions.saw(definition(3));
    versions.saw(definition(2));
    expect((await versions.latest('p', {}))?.version).to.equal(3);
    versions.forget(new Map([['p', 1]]));
    expect((await versions.latest('p', {}))?.version).to.equal(3);
    versions.forget(new Map([['p', 3]]));
    stored.latest = definition(4);
    expect((await versions.latest('p', {}))?.version).to.equal(4);
    expect(asked).to.deep.equal(['p', 'p']);
  });

  it('tells whether the versions a run took are still the latest, and forgets those that are not', async () => {
    const stored = { latest: definition(1) as DefinitionRecord | undefined };
    const { versions } = latestVersions(true, stored);
    await versions.latest('p', {});
    expect(await versions.stillLatest(new Map([['p', 1]]))).to.equal(true);
    stored.latest = definition(2);
    expect(await versions.stillLatest(new Map([['p', 1]]))).to.equal(false);
    expect((await versions.latest('p', {}))?.version).to.equal(2);
    expect(await versions.stillLatest(new Map())).to.equal(true);
  });
});

describe(`umlauf_commit_rows: the latest versions, on ${databaseKind}`, () => {
  const db = useTestDatabase();

  /** An empty change set that names the versions its step took as the latest, when given. */
  async function commitConfirmed(expectedLatestVersions: Record<string, number> | undefined): Promise<void> {
    const values = commitArguments(emptyChangeSet(), undefined, undefined, new Map(Object.entries(expectedLatestVersions ?? {})));
    await db.current.database.knex.raw(commitStatement.replace(/\$\d+/g, '?'), values);
  }

  it('commits when the versions named are still the latest, or none are named', async () => {
    const engine = new Engine({ store: await db.current.freshStore() });
    await engine.deploy(oneTask('Eins'));
    await engine.deploy(oneTask('Zwei'));
    await commitConfirmed({ 'one-task': 2 });
    await commitConfirmed(undefined);
  });

  it('refuses with UM410 when a newer version of a process named was deployed', async () => {
    const engine = new Engine({ store: await db.current.freshStore() });
    await engine.deploy(oneTask('Eins'));
    await engine.deploy(oneTask('Zwei'));
    const refusal = await commitConfirmed({ 'one-task': 1 }).then(() => undefined, (error: unknown) => error);
    expect(refusal).to.have.property('code', 'UM410');
  });
});

describe(`KnexStore's latest versions on ${databaseKind}`, () => {
  const db = useTestDatabase();

  const definitionQueries = (tap: StepFunctionTap): string[] => tap.texts.filter((text) => /\bfrom definitions\b/.test(text));

  it('starts the latest version without asking the database once it has seen it', async () => {
    await db.current.freshStore();
    const tap = new StepFunctionTap();
    const engine = new Engine({ store: new KnexStore(tap.wrap(db.current.database.knex)) });
    await engine.deploy(oneTask('Eins'));
    await engine.startProcess('one-task');
    tap.forget();
    const versions = [];
    for (let index = 0; index < 3; index++) versions.push((await engine.startProcess('one-task')).version);
    expect(versions).to.deep.equal([1, 1, 1]);
    expect(definitionQueries(tap)).to.deep.equal([]);
    expect(tap.callsOf('umlauf_commit')).to.have.length(3);
  });

  it('still answers NotFoundError for a process nobody deployed, and starts it once it is deployed', async () => {
    const engine = new Engine({ store: await db.current.freshStore() });
    const error = await engine.startProcess('one-task').then(() => undefined, (failure: unknown) => failure);
    expect(error).to.have.property('name', 'NotFoundError');
    await engine.deploy(oneTask('Eins'));
    expect((await engine.startProcess('one-task')).version).to.equal(1);
  });

  describe('with another server on the same PostgreSQL', function () {
    let other: Database | undefined;
    before(function () {
      // PGlite has one writer: a second server on its database is not a case there.
      if (!databaseUrl) this.skip();
      other = openDatabase(db.current.options);
    });
    after(async () => other?.close());

    /** This server's store, having started one-task at version 1, and an engine of the other server. */
    async function seenAtVersionOne() {
      await db.current.freshStore();
      const store = new ConflictCountingStore(db.current.database.knex);
      const engine = new Engine({ store });
      await engine.deploy(oneTask('Eins'));
      expect((await engine.startProcess('one-task')).version).to.equal(1);
      return { store, engine, otherServer: new Engine({ store: new KnexStore(other!.knex) }) };
    }

    it('starts the version the other server deployed: the commit of the start at the version it knew is refused and runs again', async () => {
      const { store, engine, otherServer } = await seenAtVersionOne();
      await otherServer.deploy(oneTask('Zwei'));
      const instance = await engine.startProcess('one-task');
      expect(instance.version).to.equal(2);
      expect(store.conflicts).to.equal(1);
      const [task] = await store.listUserTasks({ instanceId: instance.id });
      expect(task).to.include({ name: 'Zwei' });
      expect((await engine.startProcess('one-task')).version).to.equal(2);
      expect(store.conflicts).to.equal(1);
    });

    it('starts each of 8 concurrent starts once, all at the version the other server deployed', async () => {
      const { store, engine, otherServer } = await seenAtVersionOne();
      await otherServer.deploy(oneTask('Zwei'));
      const engines = [engine, ...Array.from({ length: 7 }, () => new Engine({ store }))];
      const started = await Promise.all(engines.map((each) => each.startProcess('one-task')));
      expect(started.map((instance) => instance.version)).to.deep.equal(engines.map(() => 2));
      const count = await db.current.database.knex('instances').where({ process_id: 'one-task', version: 2 }).count({ count: '*' }).first() as { count: string };
      expect(Number(count.count)).to.equal(8);
    });
  });
});
