/**
 * Reads PostgreSQL's text forms of one-dimensional arrays and of composite
 * values back into their elements or fields: for tests of the literals the
 * store sends (server/store/postgresLiterals.ts) and for the tap that reads
 * its commits. Quoted items may escape with a backslash or, in a composite,
 * by doubling the double quote; an unquoted NULL (array) or an empty field
 * (composite) is null.
 */

function items(text: string, open: string, close: string, nullWord: string | undefined): (string | null)[] {
  if (text[0] !== open || text[text.length - 1] !== close) throw new Error(`not a literal in ${open}${close}: ${text.slice(0, 40)}`);
  const body = text.slice(1, -1);
  if (open === '{' && body.length === 0) return [];
  const result: (string | null)[] = [];
  let index = 0;
  for (;;) {
    let value = '';
    let quoted = false;
    while (index < body.length && body[index] !== ',') {
      const char = body[index]!;
      if (char === '"') {
        quoted = true;
        index += 1;
        for (;;) {
          const inner = body[index];
          if (inner === undefined) throw new Error(`unterminated quote in ${text.slice(0, 40)}`);
          if (inner === '\\') { value += body[index + 1]; index += 2; continue; }
          if (inner === '"' && body[index + 1] === '"') { value += '"'; index += 2; continue; }
          if (inner === '"') { index += 1; break; }
          value += inner;
          index += 1;
        }
      } else {
        value += char;
        index += 1;
      }
    }
    result.push(!quoted && (nullWord === undefined ? value === '' : value === nullWord) ? null : value);
    if (index >= body.length) return result;
    index += 1;
  }
}

export function parseArray(text: string): (string | null)[] {
  return items(text, '{', '}', 'NULL');
}

export function parseComposite(text: string): (string | null)[] {
  return items(text, '(', ')', undefined);
}
