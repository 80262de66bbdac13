import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { formatFieldError } from '../../api/errors.ts';
import { defaultCrd } from './crd-defaults.ts';
import { validateCrd, validateCrdStatusUpdate, validateCrdUpdate } from './crd-validation.ts';
import type { Schema } from './schema.ts';
import { asSchemaProps, cronTabCrd } from './testdata.ts';

const v0 = 'spec.versions[0]';
const root = `${v0}.schema.openAPIV3Schema`;
const dns1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function version0(crd: CustomResourceDefinition) {
  const v = crd.spec.versions[0];
  if (!v) throw new Error('fixture has a version');
  return v;
}

function withSchema(schema: Schema): (crd: CustomResourceDefinition) => void {
  return (crd) => {
    const v = version0(crd);
    v.schema = { openAPIV3Schema: asSchemaProps(schema) };
    delete v.subresources;
  };
}

const messages = (crd: CustomResourceDefinition): string[] => validateCrd(crd).map(formatFieldError);

/** assertMessages compares rendered errors with exact strings, or patterns where the value printed is long. */
function assertMessages(got: string[], want: Array<string | RegExp>): void {
  assert.equal(got.length, want.length, `got ${JSON.stringify(got, null, 1)}`);
  want.forEach((w, i) => (typeof w === 'string' ? assert.equal(got[i], w) : assert.match(got[i] ?? '', w)));
}

const cases: Array<{ name: string; mutate: (crd: CustomResourceDefinition) => void; want: Array<string | RegExp> }> = [
  { name: 'the CronTab CRD is valid', mutate: () => {}, want: [] },
  {
    name: 'name must be plural.group',
    mutate: (crd) => (crd.metadata = { name: 'crontab.stable.example.com' }),
    want: ['metadata.name: Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group'],
  },
  {
    name: 'group needs a dot',
    mutate: (crd) => {
      crd.spec.group = 'example';
      crd.metadata = { name: 'crontabs.example' };
    },
    want: ['spec.group: Invalid value: "example": should be a domain with at least one dot'],
  },
  {
    name: 'scope is Namespaced or Cluster',
    mutate: (crd) => (crd.spec.scope = 'Global'),
    want: ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'],
  },
  {
    name: 'names must be DNS labels; kind may have mixed case',
    mutate: (crd) => {
      crd.spec.names = { plural: 'crontabs', singular: 'Crontab', kind: 'Cron_Tab', listKind: 'Cron_Tab', shortNames: ['c t'] };
    },
    want: [
      `spec.names.singular: Invalid value: "Crontab": ${dns1035}`,
      `spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: ${dns1035}`,
      `spec.names.listKind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: ${dns1035}`,
      `spec.names.shortNames[0]: Invalid value: "c t": ${dns1035}`,
      'spec.names.listKind: Invalid value: "Cron_Tab": kind and listKind may not be the same',
    ],
  },
  {
    name: 'exactly one storage version',
    mutate: (crd) => crd.spec.versions.push({ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }),
    want: [
      /^spec\.versions: Invalid value: \[\{"name":"v1".*\]: must have exactly one version marked as storage version$/,
      /^status\.storedVersions: Invalid value: \["v1"\]: must have the storage version v2$/,
    ],
  },
  {
    name: 'version names are DNS-1035 labels',
    mutate: (crd) => {
      version0(crd).name = '1';
      crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: ['1'] };
    },
    want: [`${v0}.name: Invalid value: "1": ${dns1035}`],
  },
  {
    name: 'a schema is required',
    mutate: (crd) => delete version0(crd).schema,
    want: [`${root}: Required value: schemas are required`],
  },
  {
    name: 'the root needs a type',
    mutate: withSchema({ properties: { spec: { type: 'object' } } }),
    want: [`${root}.type: Required value: must not be empty at the root`],
  },
  {
    name: 'fields and items need types',
    mutate: withSchema({ type: 'object', properties: { spec: { properties: { l: { type: 'array', items: {} } } } } }),
    want: [
      `${root}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`,
      `${root}.properties[spec].type: Required value: must not be empty for specified object fields`,
    ],
  },
  {
    name: 'untyped fields are fine with preserve-unknown-fields or int-or-string',
    mutate: withSchema({ type: 'object', properties: { a: { 'x-kubernetes-preserve-unknown-fields': true }, b: { 'x-kubernetes-int-or-string': true } } }),
    want: [],
  },
  {
    name: 'root metadata may restrict only name and generateName',
    mutate: withSchema({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }),
    want: [`${root}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
  },
  {
    name: 'root metadata name restrictions are allowed',
    mutate: withSchema({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } } }),
    want: [],
  },
  {
    name: 'arrays need items',
    mutate: withSchema({ type: 'object', properties: { l: { type: 'array' } } }),
    want: [`${root}.properties[l].items: Required value: must be specified`],
  },
  {
    name: 'the root must be an object',
    mutate: withSchema({ type: 'string' }),
    want: [`${root}.type: Invalid value: "string": must be object at the root`],
  },
  {
    name: 'value validations may not declare types (but the int-or-string anyOf is allowed)',
    mutate: withSchema({
      type: 'object',
      properties: {
        a: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        b: { type: 'string', anyOf: [{ type: 'string', description: 'x' }] },
      },
    }),
    want: [
      `${root}.properties[b].anyOf[0].description: Forbidden: must be empty to be structural`,
      `${root}.properties[b].anyOf[0].type: Forbidden: must be empty to be structural`,
    ],
  },
  {
    name: 'value validations may only speak of declared fields',
    mutate: withSchema({ type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ required: ['a'] }, { properties: { b: { minLength: 1 } } }] }),
    want: [`${root}.properties[b]: Required value: because it is defined in ${root}.anyOf[1].properties[b]`],
  },
  {
    name: 'unsupported keywords are refused',
    mutate: withSchema({ type: 'object', properties: { a: { type: 'string', $ref: '#/x' }, u: { type: 'array', items: { type: 'string' }, uniqueItems: true } } }),
    want: [
      `${root}.properties[a].$ref: Forbidden: $ref is not supported`,
      `${root}.properties[u].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    ],
  },
  {
    name: 'unknown types are refused',
    mutate: withSchema({ type: 'object', properties: { a: { type: 'date' } } }),
    want: [`${root}.properties[a].type: Unsupported value: "date": supported values: "array", "boolean", "integer", "number", "object", "string"`],
  },
  {
    name: 'properties and additionalProperties are exclusive',
    mutate: withSchema({ type: 'object', properties: { m: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } } } }),
    want: [`${root}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`],
  },
  {
    name: 'a default must be pruned',
    mutate: withSchema({ type: 'object', properties: { spec: { type: 'object', default: { a: 1, zzz: 2 }, properties: { a: { type: 'integer' } } } } }),
    want: [`${root}.properties[spec].default: Invalid value: {"a":1,"zzz":2}: must not have unknown fields`],
  },
  {
    name: 'defaults are forbidden in top-level metadata',
    mutate: withSchema({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', default: 'x' } } } } }),
    want: [`${root}.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata`],
  },
  {
    name: 'list-type map needs keys that are required or defaulted',
    mutate: withSchema({
      type: 'object',
      properties: {
        l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    }),
    want: [`${root}.properties[l].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`],
  },
  {
    name: 'status subresource allows only some keywords at the root',
    mutate: (crd) => (version0(crd).schema = { openAPIV3Schema: { type: 'object', minProperties: 1 } }),
    want: [
      `${v0}.schema.openAPIV3Schema: Invalid value: {"type":"object","minProperties":1}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled`,
    ],
  },
  {
    name: 'scale paths must be under .spec and .status',
    mutate: (crd) => (version0(crd).subresources = { scale: { specReplicasPath: '.replicas', statusReplicasPath: 'status.replicas' } }),
    want: [
      `${v0}.subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec`,
      `${v0}.subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .`,
    ],
  },
  {
    name: 'printer columns need a name, a known type and a JSON path',
    mutate: (crd) => (version0(crd).additionalPrinterColumns = [{ name: '', type: 'duration', jsonPath: '' }]),
    want: [
      `${v0}.additionalPrinterColumns[0].name: Required value`,
      `${v0}.additionalPrinterColumns[0].type: Invalid value: "duration": must be one of boolean,date,integer,number,string`,
      `${v0}.additionalPrinterColumns[0].JSONPath: Required value`,
    ],
  },
  {
    name: 'Webhook conversion is refused',
    mutate: (crd) => (crd.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'] } }),
    want: ['spec.conversion.strategy: Forbidden: Webhook conversion is not supported by this server; use None (versions then differ only in apiVersion)'],
  },
  {
    name: 'unknown conversion strategies are refused',
    mutate: (crd) => (crd.spec.conversion = { strategy: 'Magic' }),
    want: ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"'],
  },
  {
    name: 'storedVersions must keep listing versions still stored',
    mutate: (crd) => (crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1beta1', 'v1'] }),
    want: [
      'status.storedVersions[0]: Invalid value: "v1beta1": missing from spec.versions; v1beta1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1beta1 and removes v1beta1 from status.storedVersions',
    ],
  },
  {
    name: 'protected groups need API approval',
    mutate: (crd) => {
      crd.spec.group = 'stable.k8s.io';
      crd.metadata = { name: 'crontabs.stable.k8s.io' };
    },
    want: [
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ],
  },
];

describe('validateCrd', () => {
  for (const c of cases) {
    it(c.name, () => {
      const crd = cronTabCrd();
      c.mutate(crd);
      assertMessages(messages(crd), c.want);
    });
  }

  it('a default must have the schema type', () => {
    const crd = cronTabCrd();
    withSchema({ type: 'object', properties: { spec: { type: 'object', properties: { replicas: { type: 'integer', default: 'one' } } } } })(crd);
    // Upstream validates the default as a document of its own, so the message names no field (" in body").
    assert.deepEqual(validateCrd(crd), [
      {
        type: 'FieldValueTypeInvalid',
        field: `${root}.properties[spec].properties[replicas].default`,
        value: 'string',
        detail: ' in body must be of type integer: "string"',
      },
    ]);
  });

  it('accepts a minimal CRD once defaulted', () => {
    const crd: CustomResourceDefinition = {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Cluster',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: asSchemaProps({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) } }],
      },
    };
    assert.deepEqual(messages(defaultCrd(crd)), []);
  });
});

describe('validateCrdUpdate', () => {
  const established = (): CustomResourceDefinition => {
    const crd = cronTabCrd();
    crd.status = { ...crd.status, acceptedNames: crd.spec.names, conditions: [{ type: 'Established', status: 'True' }] };
    return crd;
  };
  const cases: Array<{ name: string; mutate: (crd: CustomResourceDefinition) => void; want: string[] }> = [
    { name: 'no change', mutate: () => {}, want: [] },
    { name: 'group is immutable', mutate: (crd) => (crd.spec.group = 'other.example.com'), want: ['spec.group: Invalid value: "other.example.com": field is immutable'] },
    { name: 'plural is immutable', mutate: (crd) => (crd.spec.names.plural = 'crons'), want: ['spec.names.plural: Invalid value: "crons": field is immutable'] },
    { name: 'kind is immutable once established', mutate: (crd) => (crd.spec.names.kind = 'Cron'), want: ['spec.names.kind: Invalid value: "Cron": field is immutable'] },
    { name: 'scope is immutable once established', mutate: (crd) => (crd.spec.scope = 'Cluster'), want: ['spec.scope: Invalid value: "Cluster": field is immutable'] },
    { name: 'short names may change', mutate: (crd) => (crd.spec.names.shortNames = ['cron']), want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const old = established();
      const crd = established();
      c.mutate(crd);
      assert.deepEqual(validateCrdUpdate(crd, old).map(formatFieldError), c.want);
    });
  }
});

describe('validateCrdStatusUpdate', () => {
  it('accepted names must be valid', () => {
    const crd = cronTabCrd();
    crd.status = { acceptedNames: { plural: 'Cron Tabs', kind: 'CronTab' }, storedVersions: ['v1'] };
    assert.deepEqual(validateCrdStatusUpdate(crd).map(formatFieldError), [`status.acceptedNames.plural: Invalid value: "Cron Tabs": ${dns1035}`]);
  });
});
