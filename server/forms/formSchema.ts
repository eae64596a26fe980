// Turns an embedded form-js form (Camunda 8 user task form) into a JSON Schema that the
// variables submitted when completing the user task must satisfy (checked with ajv).

type Schema = Record<string, unknown>;

/** An object schema under construction: dotted keys and group paths add to the same nested nodes. */
class ObjectNode {
  readonly properties = new Map<string, Schema | ObjectNode>();
  readonly required = new Set<string>();
}

// form-js writes times as HH:mm (seconds optional) with an optional Z or ±HH:mm offset; ajv-formats'
// `time` and `date-time` demand seconds and a zone, so they would reject what form-js itself submits.
const TIME = '([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d+)?)?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)?';
const TIME_PATTERN = `^${TIME}$`;
const DATE_TIME_PATTERN = `^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T${TIME}$`;
// A number field with serializeToString submits its value as text.
const NUMBER_TEXT_PATTERN = '^-?\\d+(\\.\\d+)?$';

/** A JSON Schema (draft 2020-12 / draft-07 compatible subset, for ajv with ajv-formats) that the variables submitted with the form must satisfy. */
export function formJsonSchema(form: unknown): Record<string, unknown> {
  if (!isRecord(form) || !Array.isArray(form.components)) {
    throw new TypeError(`a form-js form must be an object with a "components" array, got ${describe(form)}`);
  }
  const root = new ObjectNode();
  addComponents(root, form.components, false, 'components');
  return toSchema(root);
}

function addComponents(target: ObjectNode, components: unknown, optional: boolean, where: string): void {
  if (components === undefined) return;
  if (!Array.isArray(components)) throw new TypeError(`form-js ${where} must be an array, got ${describe(components)}`);
  components.forEach((component, index) => addComponent(target, component, optional, `${where}[${index}]`));
}

function addComponent(target: ObjectNode, component: unknown, inheritedOptional: boolean, where: string): void {
  if (!isRecord(component)) throw new TypeError(`form-js component ${where} must be an object, got ${describe(component)}`);
  const optional = inheritedOptional || mayBeAbsent(component);
  if (component.type === 'group') return addGroup(target, component, optional, where);
  if (component.type === 'dynamiclist') return addDynamicList(target, component, optional, where);
  const required = !optional && isRequired(component);
  const schema = fieldSchema(component, required);
  // Layout components (text, image, button…) and future unknown types carry no data.
  if (schema === undefined || !isKey(component.key)) return;
  place(target, component.key, schema, required);
}

/** A group with a path nests its fields under that path; without one they stay where the group is. */
function addGroup(target: ObjectNode, group: Schema, optional: boolean, where: string): void {
  const container = isKey(group.path) ? objectAt(target, group.path.split('.')) : target;
  addComponents(container, group.components, optional, `${where}.components`);
}

/** A dynamic list submits an array at its path, one object per repetition, built from its children. */
function addDynamicList(target: ObjectNode, list: Schema, optional: boolean, where: string): void {
  if (!isKey(list.path)) return;
  const item = new ObjectNode();
  addComponents(item, list.components, optional, `${where}.components`);
  place(target, list.path, { type: 'array', items: toSchema(item) }, false);
}

/** Hidden, read-only and disabled fields are not submitted by the user, so they cannot be demanded. */
function mayBeAbsent(component: Schema): boolean {
  const conditional = component.conditional;
  const hidable = isRecord(conditional) && conditional.hide !== undefined && conditional.hide !== false && conditional.hide !== '';
  // readonly may also be a FEEL expression ("=…"), which can turn true at run time.
  const readonly = component.readonly === true || (typeof component.readonly === 'string' && component.readonly !== '');
  return hidable || readonly || component.disabled === true;
}

function isRequired(component: Schema): boolean {
  return isRecord(component.validate) && component.validate.required === true;
}

function fieldSchema(component: Schema, required: boolean): Schema | undefined {
  switch (component.type) {
    case 'textfield':
    case 'textarea': return textSchema(validation(component), required);
    case 'number': return numberSchema(component);
    case 'checkbox': return { type: 'boolean' };
    case 'radio':
    case 'select': return optionSchema(component);
    case 'checklist':
    case 'taglist': return { type: 'array', items: optionSchema(component) };
    case 'datetime': return dateTimeSchema(component.subtype);
    // An expression field's value is computed, a file picker's is a document reference: any shape.
    case 'expression':
    case 'filepicker': return {};
    default: return undefined;
  }
}

function textSchema(validate: Schema, required: boolean): Schema {
  const schema: Schema = { type: 'string' };
  if (isCount(validate.minLength)) schema.minLength = validate.minLength;
  // form-js rejects an empty required text, so must we.
  else if (required) schema.minLength = 1;
  if (isCount(validate.maxLength)) schema.maxLength = validate.maxLength;
  if (typeof validate.pattern === 'string' && compilesForAjv(validate.pattern)) schema.pattern = validate.pattern;
  if (validate.validationType === 'email') schema.format = 'email';
  return schema;
}

function numberSchema(component: Schema): Schema {
  if (component.serializeToString === true) return { type: 'string', pattern: NUMBER_TEXT_PATTERN };
  const validate = validation(component);
  const schema: Schema = { type: component.decimalDigits === 0 ? 'integer' : 'number' };
  if (isFiniteNumber(validate.min)) schema.minimum = validate.min;
  if (isFiniteNumber(validate.max)) schema.maximum = validate.max;
  return schema;
}

/** Static options restrict the value; options from input data or an expression are only known at run time. */
function optionSchema(component: Schema): Schema {
  const dynamic = component.valuesKey !== undefined || component.valuesExpression !== undefined;
  if (dynamic || !Array.isArray(component.values)) return { type: ['string', 'number'] };
  const values = component.values.filter(isRecord).map((option) => option.value).filter((value) => value !== undefined);
  return { enum: values };
}

function dateTimeSchema(subtype: unknown): Schema {
  if (subtype === 'date') return { type: 'string', format: 'date' };
  if (subtype === 'time') return { type: 'string', pattern: TIME_PATTERN };
  if (subtype === 'datetime') return { type: 'string', pattern: DATE_TIME_PATTERN };
  return { type: 'string' };
}

/** Puts a schema at a dotted key: form-js stores key "a.b" as property b of object a. */
function place(target: ObjectNode, key: string, schema: Schema, required: boolean): void {
  const segments = key.split('.');
  const name = segments.pop() ?? key;
  const parent = objectAt(target, segments);
  parent.properties.set(name, schema);
  if (required) parent.required.add(name);
}

function objectAt(target: ObjectNode, segments: string[]): ObjectNode {
  let node = target;
  for (const segment of segments) {
    const existing = node.properties.get(segment);
    const next = existing instanceof ObjectNode ? existing : new ObjectNode();
    node.properties.set(segment, next);
    node = next;
  }
  return node;
}

/** A nested object becomes required as soon as one of its own properties is. */
function toSchema(node: ObjectNode): Schema {
  const required = [...node.required];
  const properties = Object.fromEntries([...node.properties].map(([name, value]) => {
    if (!(value instanceof ObjectNode)) return [name, value];
    const nested = toSchema(value);
    if ((nested.required as string[]).length > 0 && !required.includes(name)) required.push(name);
    return [name, nested];
  }));
  return { type: 'object', properties, required, additionalProperties: true };
}

/** ajv compiles patterns with the u flag; a form-js pattern invalid there would make compilation throw. */
function compilesForAjv(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

function validation(component: Schema): Schema {
  return isRecord(component.validate) ? component.validate : {};
}

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKey(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
