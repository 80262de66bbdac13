import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { admissionAttrs, fakeObjects } from '../../testing/admission.ts';
import { DefaultIngressClass } from './default-ingress-class.ts';

const ics = { group: 'networking.k8s.io', resource: 'ingressclasses' };
const cls = (name: string, isDefault: boolean, created: string): [typeof ics, ApiObject] => [ics, { metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} }, spec: { controller: 'x' } } as ApiObject];

describe('DefaultIngressClass', () => {
  const classes = [cls('nginx', false, '2024-01-01T00:00:00Z'), cls('berth', true, '2024-01-01T00:00:00Z'), cls('a-newer', true, '2024-02-01T00:00:00Z'), cls('b-newer', true, '2024-02-01T00:00:00Z')];
  const cases: { name: string; ingress: Partial<Ingress>; op?: 'CREATE' | 'UPDATE'; classes: [typeof ics, ApiObject][]; want: string | undefined }[] = [
    { name: 'no class gets the newest default, first by name on a tie', ingress: {}, classes, want: 'a-newer' },
    { name: 'a named class is kept', ingress: { spec: { ingressClassName: 'nginx' } }, classes, want: 'nginx' },
    { name: 'the legacy annotation counts as a class', ingress: { metadata: { annotations: { 'kubernetes.io/ingress.class': 'nginx' } } }, classes, want: undefined },
    { name: 'no default class: left unset', ingress: {}, classes: [cls('nginx', false, '2024-01-01T00:00:00Z')], want: undefined },
    { name: 'updates are left alone', ingress: {}, op: 'UPDATE', classes, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const obj = { ...c.ingress, metadata: { name: 'web', namespace: 'ns', ...c.ingress.metadata } } as ApiObject;
      const a = admissionAttrs(c.op ?? 'CREATE', 'ingresses.networking.k8s.io', obj, c.op === 'UPDATE' ? { oldObject: obj } : {});
      new DefaultIngressClass(fakeObjects(c.classes)).admit(a);
      assert.equal((a.object as Ingress).spec?.ingressClassName, c.want);
    });
  }
});
