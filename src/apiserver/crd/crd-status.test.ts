import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomResourceDefinition, CustomResourceDefinitionStatus } from 'kubernetes-types/apiextensions/v1.js';
import { defaultCrd } from './crd-defaults.ts';
import { crdStatus, type NameClaims } from './crd-status.ts';
import { cronTabCrd } from './testdata.ts';

const t0 = '2024-01-01T00:00:00Z';
const t1 = '2024-01-02T00:00:00Z';

describe('defaultCrd', () => {
  const bare = (): CustomResourceDefinition => ({
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [
        { name: 'v1beta1', served: true, storage: false },
        { name: 'v1', served: true, storage: true },
      ],
    },
  });
  const cases: Array<{ name: string; mutate: (c: CustomResourceDefinition) => void; check: (c: CustomResourceDefinition) => unknown; want: unknown }> = [
    { name: 'singular is the lower-cased kind', mutate: () => {}, check: (c) => c.spec.names.singular, want: 'widget' },
    { name: 'listKind is <Kind>List', mutate: () => {}, check: (c) => c.spec.names.listKind, want: 'WidgetList' },
    { name: 'set names are kept', mutate: (c) => (c.spec.names.listKind = 'Widgets'), check: (c) => c.spec.names.listKind, want: 'Widgets' },
    { name: 'conversion strategy is None', mutate: () => {}, check: (c) => c.spec.conversion, want: { strategy: 'None' } },
    { name: 'storedVersions starts with the storage version', mutate: () => {}, check: (c) => c.status?.storedVersions, want: ['v1'] },
    {
      name: 'a webhook service port defaults to 443',
      mutate: (c) => (c.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 's', namespace: 'n' } } } }),
      check: (c) => c.spec.conversion?.webhook?.clientConfig?.service?.port,
      want: 443,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const crd = bare();
      c.mutate(crd);
      assert.deepEqual(c.check(defaultCrd(crd)), c.want);
    });
  }
});

describe('crdStatus', () => {
  const noClaims: NameClaims = { resources: [], kinds: [] };
  const cases: Array<{ name: string; claimed: NameClaims; prior?: CustomResourceDefinitionStatus; want: CustomResourceDefinitionStatus }> = [
    {
      name: 'fresh names are accepted and the CRD established',
      claimed: noClaims,
      want: {
        acceptedNames: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: t1 },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: t1 },
        ],
        storedVersions: ['v1'],
      },
    },
    {
      name: 'a plural in use by another CRD of the group is refused',
      claimed: { resources: ['crontabs'], kinds: [] },
      want: {
        acceptedNames: { plural: '', kind: 'CronTab', singular: 'crontab', shortNames: ['ct'], listKind: 'CronTabList' },
        conditions: [
          { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: '"crontabs" is already in use', lastTransitionTime: t1 },
          { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted', lastTransitionTime: t1 },
        ],
        storedVersions: ['v1'],
      },
    },
    {
      name: 'short name and kind conflicts: the last one found is the reason',
      claimed: { resources: ['ct'], kinds: ['CronTab'] },
      want: {
        acceptedNames: { plural: 'crontabs', kind: '', singular: 'crontab', listKind: 'CronTabList' },
        conditions: [
          { type: 'NamesAccepted', status: 'False', reason: 'KindConflict', message: '"CronTab" is already in use', lastTransitionTime: t1 },
          { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted', lastTransitionTime: t1 },
        ],
        storedVersions: ['v1'],
      },
    },
    {
      name: 'names already accepted for this CRD do not conflict with themselves',
      claimed: { resources: ['crontabs', 'crontab', 'ct'], kinds: ['CronTab', 'CronTabList'] },
      prior: {
        acceptedNames: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: t0 },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: t0 },
        ],
        storedVersions: ['v1beta1', 'v1'],
      },
      want: {
        acceptedNames: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: t0 },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: t0 },
        ],
        storedVersions: ['v1beta1', 'v1'],
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const crd = cronTabCrd();
      if (c.prior) crd.status = c.prior;
      assert.deepEqual(crdStatus(crd, { claimed: c.claimed, now: t1 }), c.want);
    });
  }

  it('an established CRD stays established when a new short name conflicts', () => {
    const crd = cronTabCrd();
    crd.status = crdStatus(crd, { now: t0 });
    crd.spec.names.shortNames = ['ct', 'cr'];
    const next = crdStatus(crd, { claimed: { resources: ['cr'], kinds: [] }, now: t1 });
    assert.deepEqual(next.conditions, [
      { type: 'NamesAccepted', status: 'False', reason: 'ShortNamesConflict', message: '"cr" is already in use', lastTransitionTime: t1 },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: t0 },
    ]);
    assert.deepEqual(next.acceptedNames?.shortNames, ['ct']);
  });
});
