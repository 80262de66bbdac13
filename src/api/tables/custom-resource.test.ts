import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceColumnDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { customResourceTable, stringCell, typedCell } from './custom-resource.ts';
import { parseJsonPath } from './jsonpath.ts';

const now = Date.parse('2024-06-01T12:00:00Z');

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', namespace: 'default', creationTimestamp: '2024-06-01T11:00:00Z', labels: { 'app.kubernetes.io/name': 'shop' } },
  spec: { replicas: 3, ratio: 0.5, enabled: true, image: 'nginx', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], tags: { b: 2, a: '<x>' } },
  status: {
    conditions: [
      { type: 'Synced', status: 'True' },
      { type: 'Ready', status: 'False', reason: 'Waiting' },
    ],
    observedAt: '2024-06-01T11:55:00Z',
  },
};

describe('parseJsonPath', () => {
  const cases = [
    { path: '.spec.replicas', want: [3] },
    { path: '{.spec.image}', want: ['nginx'] },
    { path: '.spec.missing', want: [] },
    { path: '.spec.ports[0].port', want: [80] },
    { path: '.spec.ports[-1].name', want: ['https'] },
    { path: '.spec.ports[5].name', want: [] },
    { path: '.spec.ports[*].port', want: [80, 443] },
    { path: '.spec.ports[0:1].name', want: ['http'] },
    { path: ".spec.ports[?(@.name=='https')].port", want: [443] },
    { path: '.status.conditions[?(@.type=="Ready")].status', want: ['False'] },
    { path: '.status.conditions[?(@.reason)].type', want: ['Ready'] },
    { path: '.spec.ports[?(@.port>100)].name', want: ['https'] },
    { path: ".metadata.labels['app.kubernetes.io/name']", want: ['shop'] },
    { path: '.metadata.labels.app\\.kubernetes\\.io/name', want: ['shop'] },
    { path: '.spec.tags.*', want: ['<x>', 2] },
    { path: '..port', want: [80, 443] },
    { path: '$.spec.enabled', want: [true] },
  ];
  for (const c of cases) it(c.path, () => assert.deepEqual(parseJsonPath(c.path).find(widget), c.want));

  it('rejects syntax it does not know', () => assert.throws(() => parseJsonPath('.spec.ports[abc]')));
});

describe('cell conversion', () => {
  const cases: { name: string; got: unknown; want: unknown }[] = [
    { name: 'string cell of a string', got: stringCell('x'), want: 'x' },
    { name: 'string cell of an integer', got: stringCell(3), want: '3' },
    { name: 'string cell of a small float', got: stringCell(0.00001), want: '1e-05' },
    { name: 'string cell of a boolean', got: stringCell(false), want: 'false' },
    { name: 'string cell of an object is sorted, HTML-escaped JSON', got: stringCell({ b: 2, a: '<x>' }), want: '{"a":"\\u003cx\\u003e","b":2}' },
    { name: 'string cell of nothing', got: stringCell(undefined), want: null },
    { name: 'integer from float', got: typedCell('integer', 2.9, now), want: 2 },
    { name: 'integer from string', got: typedCell('integer', '2', now), want: null },
    { name: 'number', got: typedCell('number', 0.5, now), want: 0.5 },
    { name: 'boolean', got: typedCell('boolean', true, now), want: true },
    { name: 'date', got: typedCell('date', '2024-06-01T11:00:00Z', now), want: '60m' },
    { name: 'date invalid', got: typedCell('date', 'yesterday', now), want: '<invalid>' },
    { name: 'date zero', got: typedCell('date', '0001-01-01T00:00:00Z', now), want: '<unknown>' },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.got, c.want));
});

describe('customResourceTable', () => {
  it('defaults to NAME and AGE', () => {
    const table = customResourceTable(undefined);
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.type, c.format]),
      [
        ['Name', 'string', 'name'],
        ['Age', 'date', ''],
      ],
    );
    assert.deepEqual(table.row(widget, now), ['w1', '60m']);
  });

  it('uses additionalPrinterColumns with their types and priorities', () => {
    const columns: CustomResourceColumnDefinition[] = [
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Ports', type: 'string', jsonPath: '.spec.ports', priority: 1 },
      { name: 'Missing', type: 'string', jsonPath: '.status.nothing' },
      { name: 'Observed', type: 'date', jsonPath: '.status.observedAt' },
    ];
    const table = customResourceTable(columns);
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Replicas', 'integer', 0],
        ['Ready', 'string', 0],
        ['Ports', 'string', 1],
        ['Missing', 'string', 0],
        ['Observed', 'date', 0],
      ],
    );
    assert.deepEqual(table.row(widget, now), ['w1', 3, 'False', '[{"name":"http","port":80},{"name":"https","port":443}]', null, '5m']);
  });

  it('keeps the columns before an unparsable path, as upstream does', () => {
    const table = customResourceTable([
      { name: 'Image', type: 'string', jsonPath: '.spec.image' },
      { name: 'Bad', type: 'string', jsonPath: '.spec[abc]' },
      { name: 'After', type: 'string', jsonPath: '.spec.image' },
    ]);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['Name', 'Image'],
    );
    assert.deepEqual(table.row(widget, now), ['w1', 'nginx']);
  });
});
