import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schemaForKind } from './schema.ts';
import { applyStrategicMergePatch } from './strategic.ts';
import { deepFreeze, newDeployment, valueAt } from './testing.ts';

const schema = schemaForKind('apps', 'v1', 'Deployment');
const podSpec = ['spec', 'template', 'spec'];
const containers = [...podSpec, 'containers'];
const app = [...containers, 0];

// Each case patches the live Deployment of newDeployment() and compares one subtree of the result.
interface Case {
  name: string;
  patch: unknown;
  at: (string | number)[];
  want: unknown;
}

function run(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const doc = deepFreeze(newDeployment());
      assert.deepEqual(valueAt(applyStrategicMergePatch(doc, deepFreeze(c.patch), schema), c.at), c.want);
    });
  }
}

const inTemplate = (spec: unknown) => ({ spec: { template: { spec } } });
const inApp = (container: Record<string, unknown>) => inTemplate({ containers: [{ name: 'app', ...container }] });

describe('applyStrategicMergePatch: lists merged by key', () => {
  run([
    {
      name: 'containers: a new image for one container keeps the other',
      patch: inTemplate({ containers: [{ name: 'sidecar', image: 'envoy:2' }] }),
      at: containers,
      want: [valueAt(newDeployment(), app), { name: 'sidecar', image: 'envoy:2' }],
    },
    {
      name: 'containers: a new container goes first without $setElementOrder (upstream order)',
      patch: inTemplate({ containers: [{ name: 'log', image: 'fluent' }] }),
      at: [...containers, 'length'],
      want: 3,
    },
    {
      name: 'containers: the new container itself is first',
      patch: inTemplate({ containers: [{ name: 'log', image: 'fluent' }] }),
      at: [...containers, 0],
      want: { name: 'log', image: 'fluent' },
    },
    {
      name: 'containers: $setElementOrder puts the new container last',
      patch: inTemplate({ '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }, { name: 'log' }], containers: [{ name: 'log', image: 'fluent' }] }),
      at: [...containers, 2],
      want: { name: 'log', image: 'fluent' },
    },
    {
      name: 'containers: $patch: delete removes one',
      patch: inTemplate({ containers: [{ name: 'sidecar', $patch: 'delete' }] }),
      at: [...containers, 'length'],
      want: 1,
    },
    {
      name: 'containers: $patch: replace makes the patch the list',
      patch: inTemplate({ containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] }),
      at: containers,
      want: [{ name: 'only', image: 'x' }],
    },
    {
      name: 'env: merged by name, changed and new variables after the untouched one',
      patch: inApp({ env: [{ name: 'B', value: '3' }, { name: 'C', value: 'x' }] }),
      at: [...app, 'env'],
      want: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: 'x' }],
    },
    {
      name: 'env: $setElementOrder alone reorders the live list',
      patch: inApp({ '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }] }),
      at: [...app, 'env'],
      want: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }],
    },
    {
      name: 'env: a null member of an item deletes it',
      patch: inApp({ env: [{ name: 'A', value: null, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }),
      at: [...app, 'env', 0],
      want: { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    },
    {
      name: 'ports: merged by containerPort',
      patch: inApp({ ports: [{ containerPort: 443, name: 'https' }] }),
      at: [...app, 'ports'],
      want: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP', name: 'https' }],
    },
    {
      name: 'ports: $patch: delete by containerPort',
      patch: inApp({ ports: [{ containerPort: 80, $patch: 'delete' }] }),
      at: [...app, 'ports'],
      want: [{ containerPort: 443, protocol: 'TCP' }],
    },
    {
      name: 'volumes: a new volume merges in by name',
      patch: inTemplate({ volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }] }),
      at: [...podSpec, 'volumes'],
      want: [{ name: 'cache', emptyDir: { medium: 'Memory' } }, { name: 'data', emptyDir: {} }, { name: 'config', configMap: { name: 'cfg' } }],
    },
    {
      name: 'volumes: $retainKeys switches a volume from configMap to secret',
      patch: inTemplate({ volumes: [{ $retainKeys: ['name', 'secret'], name: 'config', secret: { secretName: 's' } }] }),
      at: [...podSpec, 'volumes', 1],
      want: { name: 'config', secret: { secretName: 's' } },
    },
    {
      name: 'tolerations: no merge strategy, so the patch replaces the list',
      patch: inTemplate({ tolerations: [{ key: 'k3', operator: 'Exists' }] }),
      at: [...podSpec, 'tolerations'],
      want: [{ key: 'k3', operator: 'Exists' }],
    },
  ]);
});

describe('applyStrategicMergePatch: maps and directives', () => {
  run([
    {
      name: 'labels: merged, null deletes a label',
      patch: { metadata: { labels: { tier: null, env: 'prod' } } },
      at: ['metadata', 'labels'],
      want: { app: 'web', env: 'prod' },
    },
    {
      name: '$patch: replace on a map takes the patch as the map',
      patch: { metadata: { labels: { $patch: 'replace', only: 'this' } } },
      at: ['metadata', 'labels'],
      want: { only: 'this' },
    },
    {
      name: '$patch: delete on a map empties it',
      patch: { spec: { strategy: { $patch: 'delete' } } },
      at: ['spec', 'strategy'],
      want: {},
    },
    {
      name: '$retainKeys: RollingUpdate to Recreate drops the defaulted rollingUpdate',
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      at: ['spec', 'strategy'],
      want: { type: 'Recreate' },
    },
    {
      name: 'without $retainKeys the old rollingUpdate stays',
      patch: { spec: { strategy: { type: 'Recreate' } } },
      at: ['spec', 'strategy'],
      want: { type: 'Recreate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    },
    {
      name: 'null deletes a field',
      patch: inTemplate({ tolerations: null }),
      at: [...podSpec, 'tolerations'],
      want: undefined,
    },
    {
      name: 'a new value loses its null members',
      patch: inTemplate({ securityContext: { runAsUser: 1000, fsGroup: null } }),
      at: [...podSpec, 'securityContext'],
      want: { runAsUser: 1000 },
    },
    {
      name: 'a new map carrying $patch is not added',
      patch: inTemplate({ nodeSelector: { $patch: 'replace', disk: 'ssd' } }),
      at: [...podSpec, 'nodeSelector'],
      want: undefined,
    },
    {
      name: 'a scalar replaces a scalar',
      patch: { spec: { replicas: 5 } },
      at: ['spec', 'replicas'],
      want: 5,
    },
  ]);
});

describe('applyStrategicMergePatch: primitive list with merge strategy (finalizers)', () => {
  run([
    { name: 'a new finalizer is added in front, as upstream orders it', patch: { metadata: { finalizers: ['c'] } }, at: ['metadata', 'finalizers'], want: ['c', 'a', 'b'] },
    { name: 'an existing finalizer is not duplicated', patch: { metadata: { finalizers: ['a'] } }, at: ['metadata', 'finalizers'], want: ['a', 'b'] },
    { name: '$deleteFromPrimitiveList removes finalizers', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, at: ['metadata', 'finalizers'], want: ['b'] },
    {
      name: 'kubectl 3-way: replace b with c, ordered by $setElementOrder',
      patch: { metadata: { '$setElementOrder/finalizers': ['a', 'c'], '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['c'] } },
      at: ['metadata', 'finalizers'],
      want: ['a', 'c'],
    },
    { name: 'a deletion list for an absent field adds nothing', patch: { spec: { template: { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } } } }, at: ['spec', 'template', 'metadata', 'finalizers'], want: undefined },
  ]);
});

describe('applyStrategicMergePatch: a map with the replace strategy', () => {
  const pdb = schemaForKind('policy', 'v1', 'PodDisruptionBudget');
  const doc = deepFreeze({ spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } } });
  const cases: { name: string; patch: unknown; want: unknown }[] = [
    { name: 'the PDB selector is replaced, not merged', patch: { spec: { selector: { matchLabels: { app: 'api' } } } }, want: { spec: { minAvailable: 1, selector: { matchLabels: { app: 'api' } } } } },
    { name: 'its siblings still merge', patch: { spec: { maxUnavailable: 1, minAvailable: null } }, want: { spec: { maxUnavailable: 1, selector: doc.spec.selector } } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(applyStrategicMergePatch(doc, c.patch, pdb), c.want));
});
