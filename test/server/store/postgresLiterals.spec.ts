/**
 * The array and composite literals in which a commit sends its rows
 * (server/store/postgresLiterals.ts, migrations/013): whatever a text holds,
 * the database reads back the same text, and the row types list their
 * columns in the order the store writes them.
 */
import { expect } from 'chai';
import { emptyChangeSet, type UserTaskRecord } from '../../../engine/index.js';
import { arrayLiteral, compositeArrayLiteral } from '../../../server/store/postgresLiterals.js';
import {
  elementInstanceRows, historyRows, incidentRows, instanceRows, jobRows, outputRows, subscriptionRows, userTaskRows, variableRows,
} from '../../../server/store/rows.js';
import { databaseKind, useTestDatabase } from '../../support/database.js';
import { parseArray, parseComposite } from './postgresLiteralParser.js';

/** Texts that each need one of the literals' rules: quotes, backslashes, separators, braces, blanks, the word NULL. */
const awkward = ['', 'plain', 'say "hi"', 'back\\slash', 'trailing\\', 'a,b', '(x)', '{y}', ' padded ', 'NULL', 'null', "it's",
  'line\nbreak\ttab', 'Prüfung 😀', '\\"', '""'];

describe('PostgreSQL literals', () => {
  it('quote every element and field, so that each reads back as it was', () => {
    expect(parseArray(arrayLiteral(awkward))).to.deep.equal(awkward);
    expect(parseArray(compositeArrayLiteral([awkward])).map((element) => parseComposite(element!))).to.deep.equal([awkward]);
  });

  it('carry an array inside a composite inside an array, as a user task\'s candidates go', () => {
    const rows = awkward.map((text) => [text, arrayLiteral([text, null])]);
    const read = parseArray(compositeArrayLiteral(rows)).map((element) => parseComposite(element!));
    expect(read).to.deep.equal(rows);
    expect(read.map((fields) => parseArray(fields[1]!))).to.deep.equal(awkward.map((text) => [text, null]));
  });

  it('leave plain ids, numbers and times bare', () => {
    const rows = awkward.map((text) => [text, null, 'a1b2-c3_d4:1', '2026-11-22T08:00:00.000Z', '-1.5', JSON.stringify({ text })]);
    expect(parseArray(compositeArrayLiteral(rows)).map((element) => parseComposite(element!))).to.deep.equal(rows);
    expect(compositeArrayLiteral([['a1', '7', null]])).to.equal('{"(a1,7,)"}');
    expect(compositeArrayLiteral([['a b', 'x"y\\z']])).to.equal(String.raw`{"(\"a b\",\"x\\\"y\\\\z\")"}`);
  });

  it('tell NULL from an empty text, and write an empty array', () => {
    expect(arrayLiteral([null, ''])).to.equal('{NULL,""}');
    expect(compositeArrayLiteral([[null, '', null]])).to.equal(String.raw`{"(,\"\",)"}`);
    expect(arrayLiteral([])).to.equal('{}');
    expect(compositeArrayLiteral([])).to.equal('{}');
  });
});

describe(`PostgreSQL literals read by ${databaseKind}`, () => {
  const db = useTestDatabase();

  it('come back as the same texts, in arrays and in arrays of composites', async () => {
    const { knex } = db.current.database;
    const texts = await knex.raw('select unnest(?::text[]) as text', [arrayLiteral(awkward)]) as { rows: { text: string }[] };
    expect(texts.rows.map(({ text }) => text)).to.deep.equal(awkward);
    const rows = awkward.map((text) => [text, null, text, JSON.stringify({ text })]);
    const read = await knex.raw('select r.* from unnest(?::umlauf_variable_row[]) r', [compositeArrayLiteral(rows)]) as
      { rows: { scope_id: string; instance_id: string | null; name: string; value: unknown }[] };
    expect(read.rows).to.deep.equal(awkward.map((text) => ({ scope_id: text, instance_id: null, name: text, value: { text } })));
  });

  it('list each row type\'s columns in the order of its table\'s mapping', async () => {
    const mappings = {
      umlauf_instance_row: instanceRows, umlauf_element_instance_row: elementInstanceRows, umlauf_variable_row: variableRows,
      umlauf_user_task_row: userTaskRows, umlauf_job_row: jobRows, umlauf_subscription_row: subscriptionRows,
      umlauf_incident_row: incidentRows, umlauf_output_row: outputRows, umlauf_history_row: historyRows,
    };
    for (const [type, mapping] of Object.entries(mappings)) {
      const attributes = await db.current.database.knex.raw(
        'select attname from pg_attribute where attrelid = (select typrelid from pg_type where typname = ?) and attnum > 0 order by attnum',
        [type],
      ) as { rows: { attname: string }[] };
      expect(attributes.rows.map(({ attname }) => attname), type).to.deep.equal(mapping.columnNames());
    }
  });

  it('carry a step\'s awkward texts, lists and values into the tables unchanged', async () => {
    const store = await db.current.freshStore();
    const changes = emptyChangeSet();
    const task: UserTaskRecord = {
      id: 'task-"1"', elementInstanceId: 'element\\1', instanceId: 'instance,1', processId: 'p', elementId: 'review',
      name: 'Prüfen "Antrag" (a,b) {c} \\ \'x\'', assignee: 'NULL', candidateUsers: ['', 'a"b', 'c\\d', 'NULL'],
      candidateGroups: ['Amt 32, Abteilung (2)'], priority: 50, state: 'open', createdAt: '2026-11-22T08:00:00.000Z', rev: 1,
    };
    changes.userTasks.push(task);
    changes.variables.put.push(
      { scopeId: 'instance,1', instanceId: 'instance,1', name: 'text', value: 'say "hi" \\ there' },
      { scopeId: 'instance,1', instanceId: 'instance,1', name: 'nested', value: { list: ['"', '\\', null], n: 1.5 } },
      { scopeId: 'instance,1', instanceId: 'instance,1', name: 'nothing', value: null },
    );
    await store.commit(changes);
    expect(await store.getUserTask(task.id)).to.deep.include({ ...task });
    const variables = await store.load([{ kind: 'scopeVariables', scopeId: 'instance,1' }]);
    const byName = Object.fromEntries((variables[0]!.value as { name: string; value: unknown }[]).map(({ name, value }) => [name, value]));
    expect(byName).to.deep.equal({ text: 'say "hi" \\ there', nested: { list: ['"', '\\', null], n: 1.5 }, nothing: null });
  });
});
