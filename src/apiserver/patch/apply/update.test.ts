import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { managerFromUserAgent, serverSideApply, updateManagedFields } from './fieldmanager.ts';
import { FieldSet } from './fieldset.ts';
import { configMap, fieldsOf, managedEntries, nginxAppliedFields, nginxCreatedFields, nginxDeployment, nginxReplacedFields } from './fixtures.ts';
import type { JsonObject } from './json.ts';
import { builtinSchemaRegistry } from './openapi.ts';
import type { Schema } from './schema.ts';

const registry = builtinSchemaRegistry();
const deploymentSchema = registry.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' }) as Schema;
const configMapSchema = registry.forKind({ group: '', version: 'v1', kind: 'ConfigMap' }) as Schema;
const statusReset = FieldSet.fromFieldNames([['status']]);
const created = Date.parse('2024-10-02T17:19:44Z');
const replaced = Date.parse('2024-10-02T17:25:00Z');

// stored mimics what the registry adds on create, which managedFields never records.
function stored(obj: JsonObject): JsonObject {
  const meta = obj.metadata as JsonObject;
  return { ...obj, metadata: { ...meta, uid: '037dfd90', resourceVersion: '22001', generation: 1, creationTimestamp: '2024-10-02T17:19:44Z' } };
}

function summary(entries: ManagedFieldsEntry[]): string[] {
  return entries.map((e) => `${e.manager ?? ''} ${e.operation ?? ''} ${e.apiVersion ?? ''}${e.subresource ? ` ${e.subresource}` : ''} ${e.time ?? '-'} ${JSON.stringify(e.fieldsV1)}`);
}

describe('updateManagedFields: upstream fixtures', () => {
  const create = () =>
    updateManagedFields({ live: null, updated: nginxDeployment(), manager: 'kubectl-create', schema: deploymentSchema, now: created, resetFields: statusReset });

  it('kubectl create records every field it set, as upstream does', () => {
    assert.deepEqual(summary(create().managedFields), [`kubectl-create Update apps/v1 2024-10-02T17:19:44Z ${nginxCreatedFields}`]);
  });

  it('kubectl replace of the image takes only the image from kubectl-create', () => {
    const live = stored(create().object);
    const r = updateManagedFields({ live, updated: nginxDeployment('nginx:stable'), manager: 'kubectl-replace', schema: deploymentSchema, now: replaced, resetFields: statusReset });
    assert.deepEqual(summary(r.managedFields), [
      `kubectl-create Update apps/v1 2024-10-02T17:19:44Z ${nginxCreatedFields.replace('"f:image":{},', '')}`,
      `kubectl-replace Update apps/v1 2024-10-02T17:25:00Z ${nginxReplacedFields}`,
    ]);
  });

  it('kubectl replace after a server-side apply takes the image from the applier', () => {
    const applied = serverSideApply({ live: null, applied: nginxDeployment(), manager: 'jun', schema: deploymentSchema, now: created, resetFields: statusReset });
    const r = updateManagedFields({ live: stored(applied.object), updated: nginxDeployment('nginx:stable'), manager: 'kubectl-replace', schema: deploymentSchema, now: replaced, resetFields: statusReset });
    assert.deepEqual(summary(r.managedFields), [
      `jun Apply apps/v1 2024-10-02T17:19:44Z ${nginxAppliedFields.replace('"f:image":{},', '')}`,
      `kubectl-replace Update apps/v1 2024-10-02T17:25:00Z ${nginxReplacedFields}`,
    ]);
  });
});

describe('updateManagedFields: ownership and timestamps', () => {
  const base = (): JsonObject =>
    updateManagedFields({ live: null, updated: configMap({ a: '1', b: '2' }), manager: 'creator', schema: configMapSchema, now: created }).object;
  const cases: { name: string; update: (live: JsonObject) => JsonObject; manager?: string; want: string[] }[] = [
    {
      name: 'a write that changes nothing keeps every entry and time',
      update: (live) => ({ ...live }),
      want: [`creator Update v1 2024-10-02T17:19:44Z {"f:data":{".":{},"f:a":{},"f:b":{}}}`],
    },
    {
      name: 'a changed field moves to the writer, which gets the new time',
      update: (live) => ({ ...live, data: { a: 'x', b: '2' } }),
      want: [`creator Update v1 2024-10-02T17:19:44Z {"f:data":{".":{},"f:b":{}}}`, `editor Update v1 2024-10-02T17:25:00Z {"f:data":{"f:a":{}}}`],
    },
    {
      name: 'a removed field leaves its owner and gives the writer nothing',
      update: (live) => ({ ...live, data: { b: '2' } }),
      want: [`creator Update v1 2024-10-02T17:19:44Z {"f:data":{".":{},"f:b":{}}}`],
    },
    {
      name: 'the same writer again merges into its entry',
      update: (live) => ({ ...live, data: { a: '1', b: '2', c: '3' } }),
      manager: 'creator',
      want: [`creator Update v1 2024-10-02T17:25:00Z {"f:data":{".":{},"f:a":{},"f:b":{},"f:c":{}}}`],
    },
    {
      name: 'an empty manager is recorded as "unknown"',
      update: (live) => ({ ...live, data: { a: '1', b: '2', c: '3' } }),
      manager: '',
      want: [`creator Update v1 2024-10-02T17:19:44Z {"f:data":{".":{},"f:a":{},"f:b":{}}}`, `unknown Update v1 2024-10-02T17:25:00Z {"f:data":{"f:c":{}}}`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const live = stored(base());
      const r = updateManagedFields({ live, updated: c.update(live), manager: c.manager ?? 'editor', schema: configMapSchema, now: replaced });
      assert.deepEqual(summary(r.managedFields), c.want);
      assert.deepEqual(managedEntries(r.object), r.managedFields);
    });
  }

  it('status changes under a status reset are not recorded', () => {
    const live = stored(base());
    const r = updateManagedFields({ live, updated: { ...live, status: { phase: 'x' }, data: { a: '1', b: '2', c: '3' } }, manager: 'editor', schema: configMapSchema, now: replaced, resetFields: statusReset });
    assert.equal(fieldsOf(r.object, 'editor'), '{"f:data":{"f:c":{}}}');
  });
});

describe('updateManagedFields: managedFields sent by the client', () => {
  const live = (): JsonObject =>
    stored(updateManagedFields({ live: null, updated: configMap({ a: '1' }), manager: 'creator', schema: configMapSchema, now: created }).object);
  const other: ManagedFieldsEntry = { manager: 'someone', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } };
  const withManaged = (obj: JsonObject, managedFields: unknown): JsonObject => ({ ...obj, metadata: { ...(obj.metadata as JsonObject), managedFields } });
  const cases: { name: string; managedFields: unknown; subresource?: string; want: string[] }[] = [
    { name: 'absent: the live entries carry on', managedFields: undefined, want: ['creator Update'] },
    { name: 'the live entries sent back carry on', managedFields: 'live', want: ['creator Update'] },
    { name: 'replaced entries are taken as they are', managedFields: [other], want: ['someone Apply'] },
    { name: '[] clears them, and the object stays untracked', managedFields: [], want: [] },
    { name: '[{}] clears them too', managedFields: [{}], want: [] },
    { name: 'an invalid entry is ignored in favour of the live ones', managedFields: [{ ...other, operation: 'Patch' }], want: ['creator Update'] },
    { name: 'on a subresource they are ignored', managedFields: [other], subresource: 'status', want: ['creator Update'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const l = live();
      const sent = c.managedFields === 'live' ? managedEntries(l) : c.managedFields;
      const updated = sent === undefined ? { ...l } : withManaged(l, sent);
      const r = updateManagedFields({ live: l, updated, manager: 'editor', subresource: c.subresource, schema: configMapSchema, now: replaced });
      assert.deepEqual(r.managedFields.map((e) => `${e.manager ?? ''} ${e.operation ?? ''}`), c.want);
      assert.deepEqual(managedEntries(r.object), r.managedFields);
    });
  }

  it('a subresource writer is identified by its subresource', () => {
    const l = live();
    const r = updateManagedFields({ live: l, updated: { ...l, data: { a: '1', s: '1' } }, manager: 'kubelet', subresource: 'status', schema: configMapSchema, now: replaced });
    assert.deepEqual(summary(r.managedFields).at(-1), 'kubelet Update v1 status 2024-10-02T17:25:00Z {"f:data":{"f:s":{}}}');
  });

  it('an existing object without managedFields stays untracked by plain writes', () => {
    const l = stored(configMap({ a: '1' }));
    const r = updateManagedFields({ live: l, updated: { ...l, data: { a: '2' } }, manager: 'editor', schema: configMapSchema, now: replaced });
    assert.deepEqual(r.managedFields, []);
    assert.equal('managedFields' in (r.object.metadata as JsonObject), false);
  });

  it('does not change the objects it is given', () => {
    const l = live();
    const before = JSON.stringify(l);
    const updated = withManaged({ ...l, data: { a: '2' } }, [other]);
    const sent = JSON.stringify(updated);
    updateManagedFields({ live: l, updated, manager: 'editor', schema: configMapSchema, now: replaced });
    assert.equal(JSON.stringify(l), before);
    assert.equal(JSON.stringify(updated), sent);
  });
});

describe('updateManagedFields: capping Update entries', () => {
  it('merges the oldest updaters into "ancient-changes" beyond ten', () => {
    let obj: JsonObject = stored(configMap({}));
    obj = updateManagedFields({ live: null, updated: obj, manager: 'm0', schema: configMapSchema, now: created }).object;
    for (let i = 0; i < 11; i++) {
      const data = { ...(obj.data as Record<string, string>), [`k${i}`]: 'v' };
      obj = updateManagedFields({ live: obj, updated: { ...obj, data }, manager: `m${i}`, schema: configMapSchema, now: created + i * 1000 }).object;
    }
    const entries = managedEntries(obj);
    assert.equal(entries.length, 10);
    assert.deepEqual(entries[0] && [entries[0].manager, entries[0].time, JSON.stringify(entries[0].fieldsV1)], ['ancient-changes', '2024-10-02T17:19:45Z', '{"f:data":{".":{},"f:k0":{},"f:k1":{}}}']);
  });
});

describe('managerFromUserAgent', () => {
  const cases = [
    { ua: 'kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9', want: 'kubectl' },
    { ua: 'kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller', want: 'kube-controller-manager' },
    { ua: 'curl', want: 'curl' },
    { ua: 'tab\there/1', want: 'tabhere' },
    { ua: '', want: '' },
    { ua: 'x'.repeat(200), want: 'x'.repeat(128) },
  ];
  for (const c of cases) it(JSON.stringify(c.ua.slice(0, 40)), () => assert.equal(managerFromUserAgent(c.ua), c.want));
});
