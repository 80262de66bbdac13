import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.ts';
import { buildTable, parseIncludeObject } from './build.ts';
import { humanDuration, translateTimestampSince } from './format.ts';
import { defaultTable, hasTable, tableFor } from './registry.ts';

const now = Date.parse('2024-06-01T12:00:00Z');

describe('humanDuration (duration.HumanDuration)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases = [
    { ms: -3 * s, want: '<invalid>' },
    { ms: -1500, want: '0s' },
    { ms: 0, want: '0s' },
    { ms: 5 * s, want: '5s' },
    { ms: 119 * s, want: '119s' },
    { ms: 2 * m, want: '2m' },
    { ms: 3 * m + 20 * s, want: '3m20s' },
    { ms: 9 * m + 59 * s, want: '9m59s' },
    { ms: 10 * m + 30 * s, want: '10m' },
    { ms: 179 * m, want: '179m' },
    { ms: 3 * h, want: '3h' },
    { ms: 3 * h + 5 * m, want: '3h5m' },
    { ms: 8 * h + 5 * m, want: '8h' },
    { ms: 47 * h, want: '47h' },
    { ms: 2 * d + 3 * h, want: '2d3h' },
    { ms: 3 * d, want: '3d' },
    { ms: 8 * d + 5 * h, want: '8d' },
    { ms: 729 * d, want: '729d' },
    { ms: 2 * 365 * d + 45 * d, want: '2y45d' },
    { ms: 3 * 365 * d, want: '3y' },
    { ms: 9 * 365 * d + 45 * d, want: '9y' },
  ];
  for (const c of cases) it(`${c.ms} ms → ${c.want}`, () => assert.equal(humanDuration(c.ms), c.want));
});

describe('translateTimestampSince', () => {
  const cases = [
    { ts: undefined, want: '<unknown>' },
    { ts: '', want: '<unknown>' },
    { ts: '0001-01-01T00:00:00Z', want: '<unknown>' },
    { ts: 'not a time', want: '<unknown>' },
    { ts: '2024-06-01T11:58:00Z', want: '2m' },
    { ts: '2024-06-01T12:00:01Z', want: '0s' },
  ];
  for (const c of cases) it(String(c.ts), () => assert.equal(translateTimestampSince(c.ts, now), c.want));
});

const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default', labels: { app: 'x' }, resourceVersion: '42', creationTimestamp: '2024-06-01T11:59:50Z' }, data: { k: 'v' } };

describe('buildTable', () => {
  const cases: { name: string; options: Parameters<typeof buildTable>[2]; object: unknown; rv: string | undefined; columns: number }[] = [
    {
      name: 'metadata by default, for --show-labels',
      options: { now, listMeta: { resourceVersion: '100', continue: 'abc' } },
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata },
      rv: '100',
      columns: 3,
    },
    { name: 'the whole object', options: { now, includeObject: 'Object' }, object: cm, rv: undefined, columns: 3 },
    { name: 'no object, no headers', options: { now, includeObject: 'None', noHeaders: true }, object: null, rv: undefined, columns: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const table = buildTable(tableFor('', 'ConfigMap'), [cm], c.options);
      assert.equal(table.kind, 'Table');
      assert.equal(table.apiVersion, 'meta.k8s.io/v1');
      assert.equal(table.metadata.resourceVersion, c.rv);
      assert.equal(table.columnDefinitions.length, c.columns);
      assert.deepEqual(table.rows, [{ cells: ['c1', 1, '10s'], object: c.object }]);
    });
  }

  it('columns carry every field kubectl reads', () => {
    const table = buildTable(tableFor('', 'ConfigMap'), [], { now });
    assert.deepEqual(Object.keys(table.columnDefinitions[0] ?? {}).sort(), ['description', 'format', 'name', 'priority', 'type']);
    assert.deepEqual(table.rows, []);
  });

  it('adds row conditions for finished pods', () => {
    const table = buildTable(tableFor('', 'Pod'), [{ metadata: { name: 'p' }, spec: { containers: [] }, status: { phase: 'Failed' } }], { now });
    assert.deepEqual(table.rows[0]?.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  });
});

describe('tableFor and the default table', () => {
  const cases = [
    { group: '', kind: 'Pod', own: true },
    { group: 'apps', kind: 'Deployment', own: true },
    { group: 'events.k8s.io', kind: 'Event', own: true },
    { group: 'rbac.authorization.k8s.io', kind: 'Role', own: false },
    { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', own: false },
    { group: '', kind: 'LimitRange', own: false },
  ];
  for (const c of cases) it(`${c.group}/${c.kind}`, () => assert.equal(hasTable(c.group, c.kind), c.own));

  it('prints NAME and CREATED AT in RFC 3339 UTC', () => {
    assert.deepEqual(
      tableFor('rbac.authorization.k8s.io', 'ClusterRole').columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Created At', 'date'],
      ],
    );
    assert.deepEqual(defaultTable.row({ metadata: { name: 'admin', creationTimestamp: '2024-05-01T10:00:00.000+02:00' } }, now), ['admin', '2024-05-01T08:00:00Z']);
    assert.deepEqual(defaultTable.row({ metadata: { name: 'x' } }, now), ['x', '0001-01-01T00:00:00Z']);
  });
});

describe('parseIncludeObject', () => {
  const cases = [
    { value: undefined, want: 'Metadata' },
    { value: '', want: 'Metadata' },
    { value: 'None', want: 'None' },
    { value: 'Object', want: 'Object' },
  ];
  for (const c of cases) it(String(c.value), () => assert.equal(parseIncludeObject(c.value), c.want));

  it('rejects an unknown value with a 400', () => {
    assert.throws(
      () => parseIncludeObject('All'),
      (err: unknown) => err instanceof ApiError && err.code === 400 && err.message === 'unrecognized includeObject value: "All"',
    );
  });
});
