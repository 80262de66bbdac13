import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FieldError, formatFieldError } from '../../api/errors.ts';
import { compileSchema } from './compiled.ts';
import type { Schema } from './schema.ts';

// Each keyword against kube-openapi's message as apiextensions-apiserver turns it into a field error.

function specWith(field: Schema): Schema {
  return { type: 'object', properties: { spec: { type: 'object', properties: { f: field } } } };
}

const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });

const cases: Array<{ name: string; schema: Schema; value: unknown; want: FieldError[] }> = [
  {
    name: 'type: string where integer',
    schema: { type: 'integer' },
    value: 'three',
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f', value: 'string', detail: 'spec.f in body must be of type integer: "string"' }],
  },
  {
    name: 'type: fraction where integer',
    schema: { type: 'integer' },
    value: 1.5,
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f', value: 'number', detail: 'spec.f in body must be of type integer: "number"' }],
  },
  { name: 'type: integer is a number', schema: { type: 'number' }, value: 3, want: [] },
  {
    name: 'type: null where not nullable',
    schema: { type: 'object' },
    value: null,
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f', value: 'null', detail: 'spec.f in body must be of type object: "null"' }],
  },
  { name: 'nullable: null accepted', schema: { type: 'object', nullable: true }, value: null, want: [] },
  {
    name: 'int-or-string: boolean refused',
    schema: { 'x-kubernetes-int-or-string': true },
    value: true,
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f', value: 'boolean', detail: 'spec.f in body must be of type integer,string: "boolean"' }],
  },
  { name: 'int-or-string: string accepted', schema: { 'x-kubernetes-int-or-string': true }, value: '50%', want: [] },
  {
    name: 'enum',
    schema: { type: 'string', enum: ['a', 'b'] },
    value: 'x',
    want: [{ type: 'FieldValueNotSupported', field: 'spec.f', value: 'x', detail: 'supported values: "a", "b"' }],
  },
  {
    name: 'enum of numbers lists them quoted',
    schema: { type: 'integer', enum: [1, 2] },
    value: 3,
    want: [{ type: 'FieldValueNotSupported', field: 'spec.f', value: 3, detail: 'supported values: "1", "2"' }],
  },
  { name: 'minimum', schema: { type: 'integer', minimum: 1 }, value: 0, want: [invalid('spec.f', 0, 'spec.f in body should be greater than or equal to 1')] },
  { name: 'maximum', schema: { type: 'integer', maximum: 10 }, value: 15, want: [invalid('spec.f', 15, 'spec.f in body should be less than or equal to 10')] },
  {
    name: 'exclusiveMinimum',
    schema: { type: 'number', minimum: 0.5, exclusiveMinimum: true },
    value: 0.5,
    want: [invalid('spec.f', 0.5, 'spec.f in body should be greater than 0.5')],
  },
  { name: 'exclusiveMaximum', schema: { type: 'integer', maximum: 3, exclusiveMaximum: true }, value: 3, want: [invalid('spec.f', 3, 'spec.f in body should be less than 3')] },
  {
    name: 'maximum of a fraction prints as Go floats do',
    schema: { type: 'number', maximum: 1000000 },
    value: 1000000.5,
    want: [invalid('spec.f', 1000000.5, 'spec.f in body should be less than or equal to 1e+06')],
  },
  { name: 'multipleOf', schema: { type: 'integer', multipleOf: 5 }, value: 12, want: [invalid('spec.f', 12, 'spec.f in body should be a multiple of 5')] },
  { name: 'multipleOf a fraction', schema: { type: 'number', multipleOf: 0.5 }, value: 1.5, want: [] },
  { name: 'minLength', schema: { type: 'string', minLength: 3 }, value: 'ab', want: [invalid('spec.f', 'ab', 'spec.f in body should be at least 3 chars long')] },
  {
    name: 'maxLength counts characters, reports bytes as upstream does',
    schema: { type: 'string', maxLength: 2 },
    value: 'abc',
    want: [{ type: 'FieldValueTooLong', field: 'spec.f', value: 'abc', detail: 'may not be more than 2 bytes' }],
  },
  { name: 'maxLength of multibyte characters', schema: { type: 'string', maxLength: 2 }, value: 'éé', want: [] },
  { name: 'pattern', schema: { type: 'string', pattern: '^[a-z]+$' }, value: 'A1', want: [invalid('spec.f', 'A1', "spec.f in body should match '^[a-z]+$'")] },
  { name: 'pattern with a Go flag group', schema: { type: 'string', pattern: '(?i)^abc$' }, value: 'ABC', want: [] },
  {
    name: 'format date-time',
    schema: { type: 'string', format: 'date-time' },
    value: 'yesterday',
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f', value: 'yesterday', detail: 'spec.f in body must be of type date-time: "yesterday"' }],
  },
  { name: 'format date-time accepts RFC 3339', schema: { type: 'string', format: 'date-time' }, value: '2024-02-29T12:00:00Z', want: [] },
  { name: 'format int32 is not range-checked (upstream neither)', schema: { type: 'integer', format: 'int32' }, value: 2 ** 40, want: [] },
  { name: 'unknown format is ignored', schema: { type: 'string', format: 'colour' }, value: 'red', want: [] },
  { name: 'minItems', schema: { type: 'array', items: { type: 'string' }, minItems: 2 }, value: ['a'], want: [invalid('spec.f', 1, 'spec.f in body should have at least 2 items')] },
  {
    name: 'maxItems',
    schema: { type: 'array', items: { type: 'string' }, maxItems: 1 },
    value: ['a', 'b'],
    want: [{ type: 'FieldValueTooMany', field: 'spec.f', value: 2, detail: '2: must have at most 1 items' }],
  },
  {
    name: 'uniqueItems',
    schema: { type: 'array', items: { type: 'integer' }, uniqueItems: true },
    value: [1, 1],
    want: [invalid('spec.f', '', "spec.f in body shouldn't contain duplicates")],
  },
  {
    name: 'items are checked with their index',
    schema: { type: 'array', items: { type: 'integer' } },
    value: [1, 'x'],
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f[1]', value: 'string', detail: 'spec.f[1] in body must be of type integer: "string"' }],
  },
  {
    name: 'minProperties',
    schema: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 2 },
    value: { a: 'x' },
    want: [invalid('spec.f', 1, 'spec.f in body should have at least 2 properties')],
  },
  {
    name: 'maxProperties stops further checks of the object',
    schema: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 },
    value: { a: 1, b: 2 },
    want: [{ type: 'FieldValueTooMany', field: 'spec.f', value: 2, detail: '2: must have at most 1 items' }],
  },
  {
    name: 'additionalProperties schema',
    schema: { type: 'object', additionalProperties: { type: 'string' } },
    value: { a: 'x', b: 2 },
    want: [{ type: 'FieldValueTypeInvalid', field: 'spec.f.b', value: 'integer', detail: 'spec.f.b in body must be of type string: "integer"' }],
  },
  {
    name: 'required',
    schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'b'] },
    value: {},
    want: [
      { type: 'FieldValueRequired', field: 'spec.f.a', detail: '' },
      { type: 'FieldValueRequired', field: 'spec.f.b', detail: '' },
    ],
  },
  {
    name: 'anyOf: none matches',
    schema: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 0 }] },
    value: 5,
    want: [
      invalid('<nil>', '', '"spec.f" must validate at least one schema (anyOf)'),
      invalid('spec.f', 5, 'spec.f in body should be greater than or equal to 10'),
    ],
  },
  { name: 'anyOf: one matches', schema: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 0 }] }, value: -1, want: [] },
  {
    name: 'oneOf: two match',
    schema: { type: 'integer', oneOf: [{ minimum: 0 }, { maximum: 10 }] },
    value: 5,
    want: [invalid('<nil>', '', '"spec.f" must validate one and only one schema (oneOf). Found 2 valid alternatives')],
  },
  {
    name: 'oneOf: none matches reports the first failure',
    schema: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: '^b' }] },
    value: 'c',
    want: [invalid('<nil>', '', '"spec.f" must validate one and only one schema (oneOf). Found none valid'), invalid('spec.f', 'c', "spec.f in body should match '^a'")],
  },
  {
    name: 'allOf',
    schema: { type: 'string', allOf: [{ minLength: 2 }, { pattern: '^a' }] },
    value: 'b',
    want: [
      invalid('spec.f', 'b', 'spec.f in body should be at least 2 chars long'),
      invalid('spec.f', 'b', "spec.f in body should match '^a'"),
      invalid('<nil>', '', '"spec.f" must validate all the schemas (allOf). None validated'),
    ],
  },
  {
    name: 'not',
    schema: { type: 'string', not: { enum: ['forbidden'] } },
    value: 'forbidden',
    want: [invalid('<nil>', '', '"spec.f" must not validate the schema (not)')],
  },
  {
    name: 'list-type set duplicates',
    schema: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    value: ['a', 'b', 'a', 'a'],
    want: [{ type: 'FieldValueDuplicate', field: 'spec.f[2]', value: 'a', detail: '' }],
  },
  {
    name: 'list-type map duplicate keys',
    schema: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
    },
    value: [{ name: 'http', port: 80 }, { name: 'http', port: 8080 }],
    want: [{ type: 'FieldValueDuplicate', field: 'spec.f[1]', value: { name: 'http' }, detail: '' }],
  },
  {
    name: 'list-type map with two keys',
    schema: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
    },
    value: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { protocol: 'TCP', port: 80 }],
    want: [{ type: 'FieldValueDuplicate', field: 'spec.f[2]', value: { port: 80, protocol: 'TCP' }, detail: '' }],
  },
  {
    name: 'embedded resource needs apiVersion and kind',
    schema: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    value: { metadata: { name: 'a/b' } },
    want: [
      { type: 'FieldValueRequired', field: 'spec.f.apiVersion', detail: '' },
      { type: 'FieldValueRequired', field: 'spec.f.kind', detail: '' },
      invalid('spec.f.metadata.name', 'a/b', "may not contain '/'"),
    ],
  },
  {
    name: 'embedded resource kind must be a DNS label when lower-cased',
    schema: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    value: { apiVersion: 'a/b/c', kind: 'Pod_X' },
    want: [
      invalid('spec.f.apiVersion', 'a/b/c', 'unexpected GroupVersion string: a/b/c'),
      invalid(
        'spec.f.kind',
        'Pod_X',
        "may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      ),
    ],
  },
];

describe('CompiledSchema.validate', () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(compileSchema(specWith(c.schema)).validate({ spec: { f: c.value } }), c.want));
  }

  it('reports a non-object root against <nil>', () => {
    assert.deepEqual(compileSchema({ type: 'object' }).validate('x'), [
      { type: 'FieldValueTypeInvalid', field: '<nil>', value: 'string', detail: ' in body must be of type object: "string"' },
    ]);
  });

  it('validateValue reports under a base path', () => {
    assert.deepEqual(compileSchema({ type: 'integer', minimum: 1 }).validateValue(0, 'x.default'), [
      invalid('x.default', 0, ' in body should be greater than or equal to 1'),
    ]);
  });
});

describe('rendered by formatFieldError', () => {
  const render = (schema: Schema, value: unknown): string[] => compileSchema(specWith(schema)).validate({ spec: { f: value } }).map(formatFieldError);
  const cases: Array<{ name: string; schema: Schema; value: unknown; want: string[] }> = [
    { name: 'Invalid', schema: { type: 'integer', maximum: 10 }, value: 15, want: ['spec.f: Invalid value: 15: spec.f in body should be less than or equal to 10'] },
    { name: 'Required', schema: { type: 'object', required: ['a'] }, value: {}, want: ['spec.f.a: Required value'] },
    { name: 'Unsupported', schema: { type: 'string', enum: ['a', 'b'] }, value: 'x', want: ['spec.f: Unsupported value: "x": supported values: "a", "b"'] },
    { name: 'Too long', schema: { type: 'string', maxLength: 3 }, value: 'abcd', want: ['spec.f: Too long: may not be more than 3 bytes'] },
    { name: 'Too many', schema: { type: 'array', items: { type: 'string' }, maxItems: 2 }, value: ['a', 'b', 'c'], want: ['spec.f: Too many: 3: must have at most 2 items'] },
    {
      name: 'Duplicate',
      schema: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      value: ['a', 'a'],
      want: ['spec.f[1]: Duplicate value: "a"'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(render(c.schema, c.value), c.want));

  it('Invalid value for a wrong type', () => {
    assert.deepEqual(render({ type: 'integer' }, 'x'), ['spec.f: Invalid value: "string": spec.f in body must be of type integer: "string"']);
  });
});
