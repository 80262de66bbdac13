import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../api/errors.ts';
import { serverSideApply } from './fieldmanager.ts';
import { configMap, fieldsOf, runSteps, thrownApiError, type Step } from './fixtures.ts';
import type { JsonObject } from './json.ts';
import { builtinSchemaRegistry } from './openapi.ts';
import type { Schema } from './schema.ts';

const registry = builtinSchemaRegistry();
const deploymentSchema = registry.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' }) as Schema;
const configMapSchema = registry.forKind({ group: '', version: 'v1', kind: 'ConfigMap' }) as Schema;
const t0 = Date.parse('2024-10-02T17:07:58Z');
const t1 = t0 + 60_000;
const run = (steps: Step[], live: JsonObject | null = null): JsonObject => runSteps(steps, configMapSchema, live);
const conflictOf = thrownApiError;

describe('serverSideApply: conflicts', () => {
  const cases: { name: string; steps: Step[]; apply: JsonObject; message: string; causes: { reason: string; message: string; field: string }[] }[] = [
    {
      name: 'one field owned by another applier',
      steps: [{ apply: configMap({ key: '1' }), manager: 'm' }],
      apply: configMap({ key: '2' }),
      message: 'Apply failed with 1 conflict: conflict with "m": .data.key',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "m"', field: '.data.key' }],
    },
    {
      name: 'one field owned by an updater names its API version',
      steps: [{ update: () => configMap({ key: '1' }), manager: 'kubectl-client-side-apply' }],
      apply: configMap({ key: '2' }),
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key',
      causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.key' }],
    },
    {
      name: 'several fields and managers are grouped by manager',
      steps: [
        { apply: configMap({ x: '1', y: '1' }), manager: 'a' },
        { update: (o) => ({ ...o, data: { x: '1', y: '1', z: '1' } }), manager: 'b' },
      ],
      apply: configMap({ x: '2', y: '2', z: '2' }),
      message: 'Apply failed with 3 conflicts: conflicts with "a":\n- .data.x\n- .data.y\nconflicts with "b" using v1:\n- .data.z',
      causes: [
        { reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.data.x' },
        { reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.data.y' },
        { reason: 'FieldManagerConflict', message: 'conflict with "b" using v1', field: '.data.z' },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const live = run(c.steps);
      const err = conflictOf(() => serverSideApply({ live, applied: c.apply, manager: 'new', schema: configMapSchema, now: t1 }));
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'Conflict');
      assert.equal(err.message, c.message);
      assert.deepEqual(err.details, { causes: c.causes });
    });
  }

  it('an object nobody manages yet conflicts through "before-first-apply"', () => {
    const live = configMap({ key: '1' }, { metadata: { name: 'cm', namespace: 'default', uid: 'u1' } });
    const err = conflictOf(() => serverSideApply({ live, applied: configMap({ key: '2' }), manager: 'm', schema: configMapSchema, now: t1 }));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.key');
  });
});


describe('serverSideApply: kubectl taking over from client-side apply', () => {
  const annotated = (data: Record<string, string>): JsonObject => {
    const lastApplied = `${JSON.stringify(configMap(data))}\n`;
    return configMap(data, { metadata: { name: 'cm', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } });
  };
  const live = (): JsonObject => run([{ update: () => annotated({ key: '1' }), manager: 'kubectl-client-side-apply' }]);

  it('kubectl may change fields its last-applied annotation records, and the annotation follows', () => {
    const r = serverSideApply({ live: live(), applied: configMap({ key: '2' }), manager: 'kubectl', schema: configMapSchema, now: t1 });
    assert.deepEqual(r.object.data, { key: '2' });
    const annotations = (r.object.metadata as JsonObject).annotations as JsonObject;
    assert.equal(annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"apiVersion":"v1","data":{"key":"2"},"kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"}}\n');
    assert.equal(fieldsOf(r.object, 'kubectl'), '{"f:data":{"f:key":{}}}');
  });
  it('another manager still conflicts', () => {
    const err = conflictOf(() => serverSideApply({ live: live(), applied: configMap({ key: '2' }), manager: 'm', schema: configMapSchema, now: t1 }));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key');
  });
});


describe('serverSideApply: rejected requests', () => {
  const cases: { name: string; applied: unknown; manager?: string; kind?: string; code: number; message: RegExp }[] = [
    { name: 'managedFields in the configuration', applied: configMap({}, { metadata: { name: 'cm', managedFields: [] } }), code: 400, message: /^metadata\.managedFields must be nil$/ },
    { name: 'no field manager', applied: configMap({}), manager: '', code: 422, message: /fieldManager: Required value: is required for apply patch/ },
    { name: 'a field the schema does not declare', applied: configMap({}, { bogus: 1 }), code: 400, message: /failed to create typed patch object \(default\/cm; \/v1, Kind=ConfigMap\): \.bogus: field not declared in schema/ },
    { name: 'the wrong kind for the endpoint', applied: configMap({}), kind: 'Secret', code: 400, message: /^invalid object type: \/v1, Kind=ConfigMap$/ },
    { name: 'a configuration that is not an object', applied: [1], code: 400, message: /must be a JSON object/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => serverSideApply({ live: null, applied: c.applied, manager: c.manager ?? 'm', kind: c.kind, schema: configMapSchema, now: t0 }),
        (e: unknown) => e instanceof ApiError && e.code === c.code && c.message.test(e.message),
      );
    });
  }
  it('duplicate map-list keys in the configuration', () => {
    const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } };
    assert.throws(
      () => serverSideApply({ live: null, applied, manager: 'm', schema: deploymentSchema, now: t0 }),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.message.endsWith('.spec.template.spec.containers: duplicate entries for key [name="a"]'),
    );
  });
});

