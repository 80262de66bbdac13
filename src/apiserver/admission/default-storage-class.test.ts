import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { admissionAttrs, fakeObjects } from '../../testing/admission.ts';
import { DefaultStorageClass } from './default-storage-class.ts';

const scs = { group: 'storage.k8s.io', resource: 'storageclasses' };
const cls = (name: string, isDefault: boolean, created: string): [typeof scs, ApiObject] => [scs, { metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} }, provisioner: 'x' } as ApiObject];

describe('DefaultStorageClass', () => {
  const classes = [cls('slow', false, '2024-01-01T00:00:00Z'), cls('local-path', true, '2024-01-01T00:00:00Z'), cls('newer', true, '2024-02-01T00:00:00Z')];
  const cases: { name: string; spec: PersistentVolumeClaim['spec']; classes: [typeof scs, ApiObject][]; want: string | undefined | null }[] = [
    { name: 'an unset class gets the newest default', spec: {}, classes, want: 'newer' },
    { name: 'an empty class stays empty (no class)', spec: { storageClassName: '' }, classes, want: '' },
    { name: 'a named class is kept', spec: { storageClassName: 'slow' }, classes, want: 'slow' },
    { name: 'no default class: unset stays unset', spec: {}, classes: [cls('slow', false, '2024-01-01T00:00:00Z')], want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = admissionAttrs('CREATE', 'persistentvolumeclaims', { metadata: { name: 'c', namespace: 'ns' }, spec: c.spec } as ApiObject);
      new DefaultStorageClass(fakeObjects(c.classes)).admit(a);
      assert.equal((a.object as PersistentVolumeClaim).spec?.storageClassName, c.want);
    });
  }
});
