/**
 * Named statements, prepared once per connection and then run with their
 * values: `pg` does that itself (`query({ name, text, values })`). On
 * embedded PGlite, whose query() cannot, a statement is parsed and described
 * once per PGlite instance (its one session); each call then goes into
 * PostgreSQL's WebAssembly as one message, Bind, Execute and Sync, with the
 * values as texts, and its rows are read with the row description kept from
 * preparing it.
 *
 * The store used to send a commit's values inline through PGlite's exec(),
 * so that PostgreSQL read each commit's rows through its SQL parser (the
 * lexer scanning every literal, a type lookup for every cast) before it read
 * them as values. PGlite's own query() would parse and plan the statement on
 * every call, in six calls into WebAssembly. Replaying the store benchmark's
 * statements, a backend of PostgreSQL 15 took 12% fewer instructions with
 * the commits named than inline (callgrind), and PGlite 12% less CPU time.
 */
import { parse, protocol, type PGlite } from '@electric-sql/pglite';

/** A statement to prepare under `name` (one name always stands for one text), with its values as texts. */
export interface NamedStatement {
  name: string;
  text: string;
  values: (string | null)[];
}

type Row = Record<string, unknown>;
type BackendMessage = Awaited<ReturnType<PGlite['execProtocolStream']>>[number];

/** What runNamed needs of a connection: a `pg` client's query, or PGlite's protocol calls. */
export type NamedStatementConnection =
  | { query(statement: NamedStatement): Promise<{ rows: Row[] }> }
  | Pick<PGlite, '_runExclusiveQuery' | 'execProtocolStream' | 'parsers'>;

/** Each PGlite instance's prepared statements, by name: their row descriptions (none for a statement without rows). */
const preparedBy = new WeakMap<object, Map<string, BackendMessage[]>>();

export async function runNamed(connection: NamedStatementConnection, statement: NamedStatement): Promise<Row[]> {
  // By what it has, not by class: knex-pglite loads PGlite's CommonJS build, this module may load the ES one.
  if (!('execProtocolStream' in connection)) return (await connection.query(statement)).rows;
  const pglite = connection;
  // PGlite's lock on its session, which its own query() and exec() take too.
  return pglite._runExclusiveQuery(async () => {
    const described = await prepared(pglite, statement);
    const messages = await pglite.execProtocolStream(bindExecuteSync(statement.name, statement.values), {});
    return (parse.parseResults([...described, ...messages], pglite.parsers)[0]?.rows ?? []) as Row[];
  });
}

async function prepared(pglite: Pick<PGlite, 'execProtocolStream'>, { name, text }: NamedStatement): Promise<BackendMessage[]> {
  let statements = preparedBy.get(pglite);
  if (statements === undefined) preparedBy.set(pglite, statements = new Map());
  let described = statements.get(name);
  if (described === undefined) {
    // Taken as prepared only once it parsed: a statement whose function is not there yet fails here, and again next time.
    const answer = await pglite.execProtocolStream(Buffer.concat([
      protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync(),
    ]), {});
    described = answer.filter((message) => message.name === 'rowDescription');
    statements.set(name, described);
  }
  return described;
}

/** Execute of the unnamed portal with no row limit, then Sync (PostgreSQL's frontend/backend protocol). */
const executeSync = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4]);

/**
 * Bind (the unnamed portal, `name`'s statement, every value as text, every
 * column as text), then Execute and Sync: one buffer, each value written
 * once. PGlite's own serializer took 34–46 µs for a commit's values, this
 * 4–6 µs.
 */
export function bindExecuteSync(name: string, values: readonly (string | null)[]): Buffer {
  const sizes = values.map((value) => (value === null ? -1 : Buffer.byteLength(value)));
  // Length field, portal "", statement name, format codes (0: all text), value count, values, result format codes (0).
  const length = 4 + 1 + Buffer.byteLength(name) + 1 + 2 + 2 + sizes.reduce((sum, size) => sum + 4 + Math.max(size, 0), 0) + 2;
  const message = Buffer.allocUnsafe(1 + length + executeSync.length);
  let at = message.write('B', 0);
  at = message.writeInt32BE(length, at);
  at = message.writeUInt8(0, at);
  at += message.write(name, at);
  at = message.writeUInt8(0, at);
  at = message.writeInt16BE(0, at);
  at = message.writeInt16BE(values.length, at);
  values.forEach((value, index) => {
    at = message.writeInt32BE(sizes[index]!, at);
    if (value !== null) at += message.write(value, at);
  });
  at = message.writeInt16BE(0, at);
  executeSync.copy(message, at);
  return message;
}
