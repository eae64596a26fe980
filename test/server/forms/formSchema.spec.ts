import { expect } from 'chai';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { formJsonSchema } from '../../../server/forms/formSchema.js';

// The same ajv setup the server uses for submitted variables.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv);

/** The ajv errors of checking the variables against the form, as "instancePath keyword" lines; [] when valid. */
function problems(form: unknown, variables: unknown): string[] {
  const validate = ajv.compile(formJsonSchema(form));
  if (validate(variables)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath} ${error.keyword}`);
}

/** An approval form as the Camunda Modeler saves it. */
const approvalForm = {
  type: 'default',
  id: 'approval',
  schemaVersion: 16,
  components: [
    { type: 'text', id: 'intro', text: '# Approve the request' },
    {
      type: 'radio', id: 'decision', key: 'decision', label: 'Decision', validate: { required: true },
      values: [{ label: 'Approve', value: 'approve' }, { label: 'Reject', value: 'reject' }],
    },
    { type: 'textarea', id: 'reason', key: 'reason', label: 'Reason', validate: { maxLength: 500 } },
    { type: 'number', id: 'amount', key: 'amount', label: 'Amount', validate: { min: 0, max: 10000 } },
    { type: 'number', id: 'copies', key: 'copies', label: 'Copies', decimalDigits: 0 },
    { type: 'checkbox', id: 'urgent', key: 'urgent', label: 'Urgent' },
    { type: 'datetime', id: 'due', key: 'dueDate', subtype: 'date', dateLabel: 'Due', validate: { required: true } },
    { type: 'datetime', id: 'meeting', key: 'meetingTime', subtype: 'time', timeLabel: 'Meeting' },
    { type: 'datetime', id: 'deadline', key: 'deadline', subtype: 'datetime', dateLabel: 'Deadline' },
    { type: 'textfield', id: 'email', key: 'contact.email', label: 'E-mail', validate: { required: true, validationType: 'email' } },
    { type: 'textfield', id: 'code', key: 'costCentre', label: 'Cost centre', validate: { pattern: '[A-Z]{2}-\\d{4}' } },
    {
      type: 'group', id: 'address', path: 'address', label: 'Address',
      components: [
        { type: 'textfield', id: 'street', key: 'street', label: 'Street', validate: { required: true } },
        { type: 'textfield', id: 'zip', key: 'zip', label: 'ZIP', validate: { minLength: 5, maxLength: 5 } },
      ],
    },
    {
      type: 'group', id: 'flat', label: 'Without path',
      components: [{ type: 'checklist', id: 'tags', key: 'tags', values: [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }] }],
    },
    {
      type: 'dynamiclist', id: 'positions', path: 'positions', label: 'Positions', isRepeating: true,
      components: [
        { type: 'textfield', id: 'item', key: 'item', label: 'Item', validate: { required: true } },
        { type: 'number', id: 'price', key: 'price', label: 'Price', validate: { min: 0 } },
      ],
    },
    {
      type: 'textarea', id: 'rejection', key: 'rejectionNote', label: 'Why rejected',
      validate: { required: true }, conditional: { hide: '=decision != "reject"' },
    },
    { type: 'textfield', id: 'requester', key: 'requester', label: 'Requester', readonly: true, validate: { required: true } },
    { type: 'button', id: 'submit', action: 'submit', label: 'Submit' },
  ],
};

const validSubmission = {
  decision: 'approve',
  reason: 'Budget is available.',
  amount: 1250.5,
  copies: 2,
  urgent: false,
  dueDate: '2026-04-30',
  meetingTime: '14:30',
  deadline: '2026-04-30T17:00Z',
  contact: { email: 'anna.mueller@example.org' },
  costCentre: 'DE-4711',
  address: { street: 'Hauptstraße 1', zip: '10115' },
  tags: ['a'],
  positions: [{ item: 'Laptop', price: 1200 }, { item: 'Bag' }],
};

describe('formJsonSchema', () => {
  describe('with a realistic approval form', () => {
    it('accepts a complete valid submission', () => {
      expect(problems(approvalForm, validSubmission)).to.deep.equal([]);
    });

    it('accepts a submission with only the required fields and extra variables', () => {
      const minimal = { decision: 'reject', dueDate: '2026-04-30', contact: { email: 'a@example.org' }, address: { street: 'X 1' }, fromIntegration: 42 };
      expect(problems(approvalForm, minimal)).to.deep.equal([]);
    });

    it('builds an object schema with additionalProperties true and the required keys of the form', () => {
      const schema = formJsonSchema(approvalForm);
      expect(schema).to.include({ type: 'object', additionalProperties: true });
      expect(schema.required).to.have.members(['decision', 'dueDate', 'contact', 'address']);
    });

    it('rejects a submission missing a required field, naming the field', () => {
      const { decision: _decision, ...rest } = validSubmission;
      expect(problems(approvalForm, rest)).to.deep.equal([' required']);
      expect(ajv.validate(formJsonSchema(approvalForm), rest)).to.equal(false);
      expect(ajv.errors?.[0]?.params).to.deep.equal({ missingProperty: 'decision' });
    });

    it('rejects a radio value that is not one of the static options', () => {
      expect(problems(approvalForm, { ...validSubmission, decision: 'maybe' })).to.deep.equal(['/decision enum']);
    });

    it('rejects a reason longer than maxLength 500', () => {
      expect(problems(approvalForm, { ...validSubmission, reason: 'x'.repeat(501) })).to.deep.equal(['/reason maxLength']);
      expect(problems(approvalForm, { ...validSubmission, reason: 'x'.repeat(500) })).to.deep.equal([]);
    });

    it('rejects an amount below min and above max, and an amount sent as text', () => {
      expect(problems(approvalForm, { ...validSubmission, amount: -1 })).to.deep.equal(['/amount minimum']);
      expect(problems(approvalForm, { ...validSubmission, amount: 10001 })).to.deep.equal(['/amount maximum']);
      expect(problems(approvalForm, { ...validSubmission, amount: '12' })).to.deep.equal(['/amount type']);
    });

    it('rejects a fraction for a number field with decimalDigits 0', () => {
      expect(problems(approvalForm, { ...validSubmission, copies: 1.5 })).to.deep.equal(['/copies type']);
    });

    it('rejects a checkbox value that is not a boolean', () => {
      expect(problems(approvalForm, { ...validSubmission, urgent: 'yes' })).to.deep.equal(['/urgent type']);
    });

    it('rejects a malformed or impossible date for a date field', () => {
      expect(problems(approvalForm, { ...validSubmission, dueDate: '30.04.2026' })).to.deep.equal(['/dueDate format']);
      expect(problems(approvalForm, { ...validSubmission, dueDate: '2026-02-30' })).to.deep.equal(['/dueDate format']);
    });

    it('accepts the time and date-time strings form-js writes (HH:mm, optional zone) and rejects others', () => {
      for (const meetingTime of ['09:05', '14:30Z', '14:30+02:00', '14:30:15']) {
        expect(problems(approvalForm, { ...validSubmission, meetingTime }), meetingTime).to.deep.equal([]);
      }
      expect(problems(approvalForm, { ...validSubmission, meetingTime: '25:00' })).to.deep.equal(['/meetingTime pattern']);
      expect(problems(approvalForm, { ...validSubmission, deadline: '2026-04-30T17:00-05:00' })).to.deep.equal([]);
      expect(problems(approvalForm, { ...validSubmission, deadline: '2026-04-30 17:00' })).to.deep.equal(['/deadline pattern']);
    });

    it('rejects a bad e-mail under a dotted key and a missing nested object', () => {
      expect(problems(approvalForm, { ...validSubmission, contact: { email: 'not-an-address' } })).to.deep.equal(['/contact/email format']);
      const { contact: _contact, ...rest } = validSubmission;
      expect(problems(approvalForm, rest)).to.deep.equal([' required']);
    });

    it('rejects a text that does not match the unanchored pattern', () => {
      expect(problems(approvalForm, { ...validSubmission, costCentre: 'de-47' })).to.deep.equal(['/costCentre pattern']);
      expect(problems(approvalForm, { ...validSubmission, costCentre: 'Ref DE-4711' })).to.deep.equal([]);
    });

    it('rejects bad values inside a group with a path', () => {
      expect(problems(approvalForm, { ...validSubmission, address: { zip: '1011' } })).to.have.members(['/address required', '/address/zip minLength']);
      expect(problems(approvalForm, { ...validSubmission, address: 'Hauptstraße 1' })).to.deep.equal(['/address type']);
    });

    it('puts fields of a group without a path at the level of the group', () => {
      expect(problems(approvalForm, { ...validSubmission, tags: ['a', 'c'] })).to.deep.equal(['/tags/1 enum']);
      expect(problems(approvalForm, { ...validSubmission, tags: 'a' })).to.deep.equal(['/tags type']);
    });

    it('rejects a dynamic list item missing its required field or with a bad value', () => {
      const positions = [{ item: 'Laptop', price: -5 }, { price: 3 }];
      expect(problems(approvalForm, { ...validSubmission, positions })).to.have.members(['/positions/0/price minimum', '/positions/1 required']);
      expect(problems(approvalForm, { ...validSubmission, positions: { item: 'Laptop' } })).to.deep.equal(['/positions type']);
    });

    it('does not require a required field hidden by a condition, but checks its type when sent', () => {
      expect(formJsonSchema(approvalForm).required).not.to.include('rejectionNote');
      expect(problems(approvalForm, { ...validSubmission, rejectionNote: 7 })).to.deep.equal(['/rejectionNote type']);
    });

    it('does not require a required readonly field', () => {
      expect(formJsonSchema(approvalForm).required).not.to.include('requester');
    });

    it('rejects an empty text for a required text field, as form-js does', () => {
      expect(problems(approvalForm, { ...validSubmission, address: { street: '' } })).to.deep.equal(['/address/street minLength']);
    });
  });

  describe('with options, visibility and special components', () => {
    const form = (...components: unknown[]) => ({ type: 'default', components });

    it('allows any string or number for a select whose options come from valuesKey or valuesExpression', () => {
      const dynamic = form(
        { type: 'select', key: 'a', valuesKey: 'choices' },
        { type: 'taglist', key: 'b', valuesExpression: '=options' },
      );
      expect(problems(dynamic, { a: 'anything', b: ['x', 3] })).to.deep.equal([]);
      expect(problems(dynamic, { a: true, b: [false] })).to.have.members(['/a type', '/b/0 type']);
    });

    it('does not require fields inside a group hidden by a condition, nor a disabled field', () => {
      const conditional = form(
        { type: 'group', path: 'extra', conditional: { hide: '=true' }, components: [{ type: 'textfield', key: 'x', validate: { required: true } }] },
        { type: 'textfield', key: 'y', disabled: true, validate: { required: true } },
        { type: 'textfield', key: 'z', readonly: '=locked', validate: { required: true } },
      );
      expect(problems(conditional, {})).to.deep.equal([]);
      expect(problems(conditional, { extra: { x: 1 } })).to.deep.equal(['/extra/x type']);
    });

    it('accepts anything for expression and filepicker fields and skips layout and unknown types', () => {
      const special = form(
        { type: 'expression', key: 'total', expression: '=a + b' },
        { type: 'filepicker', key: 'files', validate: { required: true } },
        { type: 'futureWidget', key: 'future', validate: { required: true } },
        { type: 'html', content: '<b>hi</b>' }, { type: 'spacer' }, { type: 'separator' }, { type: 'image' },
        { type: 'iframe' }, { type: 'table' }, { type: 'documentPreview' },
      );
      expect(formJsonSchema(special).properties).to.have.all.keys('total', 'files');
      expect(problems(special, { total: { any: 'thing' }, files: 'doc-ref' })).to.deep.equal([]);
      expect(problems(special, { total: 1 })).to.deep.equal([' required']);
    });

    it('submits a number with serializeToString as numeric text', () => {
      const text = form({ type: 'number', key: 'n', serializeToString: true });
      expect(problems(text, { n: '12.5' })).to.deep.equal([]);
      expect(problems(text, { n: 'twelve' })).to.deep.equal(['/n pattern']);
    });

    it('merges a dotted key and a group path into one nested object', () => {
      const merged = form(
        { type: 'textfield', key: 'customer.name', validate: { required: true } },
        { type: 'group', path: 'customer', components: [{ type: 'number', key: 'age' }] },
      );
      expect(problems(merged, { customer: { name: 'Anna', age: 41 } })).to.deep.equal([]);
      expect(problems(merged, { customer: { age: 'old' } })).to.have.members(['/customer required', '/customer/age type']);
    });

    it('drops a form-js pattern that ajv cannot compile instead of failing every completion', () => {
      expect(problems(form({ type: 'textfield', key: 'p', validate: { pattern: '\\-[' } }), { p: 'x' })).to.deep.equal([]);
    });
  });

  describe('with malformed input', () => {
    it('throws a TypeError for a form that is not an object with a components array', () => {
      expect(() => formJsonSchema(null)).to.throw(TypeError, /components/);
      expect(() => formJsonSchema('{"components":[]}')).to.throw(TypeError, /components/);
      expect(() => formJsonSchema({ type: 'default' })).to.throw(TypeError, /components/);
    });

    it('throws a TypeError naming the place of a component that is not an object', () => {
      expect(() => formJsonSchema({ components: [{ type: 'checkbox', key: 'ok' }, 'textfield'] })).to.throw(TypeError, /components\[1\]/);
      expect(() => formJsonSchema({ components: [{ type: 'group', components: [null] }] })).to.throw(TypeError, /components\[0\]\.components\[0\]/);
    });
  });
});
