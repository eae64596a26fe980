/**
 * PostgreSQL's text forms of arrays and composite values, in which a commit
 * sends each table's rows (migrations/013): cheaper for the database to read
 * than the same rows as a JSON document. A value in double quotes needs only
 * its double quotes and backslashes escaped, in arrays and composites alike;
 * a composite inside an array is quoted once more as a whole, so its quoted
 * fields are escaped twice. Rendered in one pass, since the rows of every
 * step go through here.
 */

/** `text` in double quotes, its double quotes and backslashes escaped with a backslash. */
function quoted(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** An array of text; null is SQL NULL. */
export function arrayLiteral(elements: readonly (string | null)[]): string {
  let literal = '{';
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index]!;
    literal += (index > 0 ? ',' : '') + (element === null ? 'NULL' : quoted(element));
  }
  return `${literal}}`;
}

/**
 * Texts a composite field inside an array may hold as they are: no quote,
 * backslash, separator, parenthesis, brace or blank (ids, numbers, times).
 */
const bare = /^[\w.:+-]+$/;

/**
 * An array of composite values, each given as its fields (null for SQL NULL,
 * an empty field; '' is an empty text), in one pass: each composite is an
 * element in double quotes, so a field that needs quotes of its own is
 * quoted as `\"…\"`, and a quote in it becomes `\\\"`, a backslash `\\\\`.
 */
export function compositeArrayLiteral(rows: readonly (readonly (string | null)[])[]): string {
  let literal = '{';
  for (let row = 0; row < rows.length; row++) {
    const fields = rows[row]!;
    literal += row > 0 ? ',"(' : '"(';
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index];
      if (index > 0) literal += ',';
      if (field === null || field === undefined) continue;
      literal += bare.test(field) ? field : `\\"${field.replaceAll('\\', '\\\\\\\\').replaceAll('"', '\\\\\\"')}\\"`;
    }
    literal += ')"';
  }
  return `${literal}}`;
}
