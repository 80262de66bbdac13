import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../../api/kinds.ts';
import { groupVersionId, groupVersionTag, resourcePaths } from './routes.ts';
import type { PathSpec } from './operations.ts';

describe('groupVersionId and groupVersionTag', () => {
  const cases = [
    { group: '', version: 'v1', id: 'CoreV1', tag: 'core_v1' },
    { group: 'apps', version: 'v1', id: 'AppsV1', tag: 'apps_v1' },
    { group: 'rbac.authorization.k8s.io', version: 'v1', id: 'RbacAuthorizationV1', tag: 'rbacAuthorization_v1' },
    { group: 'stable.example.com', version: 'v1beta1', id: 'StableExampleComV1beta1', tag: 'stableExampleCom_v1beta1' },
  ];
  for (const c of cases) {
    it(`${c.group || 'core'}/${c.version}`, () => {
      assert.equal(groupVersionId(c.group, c.version), c.id);
      assert.equal(groupVersionTag(c.group, c.version), c.tag);
    });
  }
});

function pathsOf(kind: string, group = ''): PathSpec[] {
  const info = builtinResources.find((r) => r.kind === kind && r.group === group)!;
  return resourcePaths({ info, definition: `def.${kind}`, listDefinition: `def.${kind}List`, custom: false }, (gvk) => `def.${gvk.kind}`);
}

function ids(paths: PathSpec[]): Record<string, string[]> {
  return Object.fromEntries(paths.map((x) => [x.path, x.operations.map((o) => `${o.method} ${o.operationId} ${o.action}`)]));
}

describe('resourcePaths', () => {
  it('names pod subresource operations as upstream does', () => {
    const got = ids(pathsOf('Pod'));
    assert.deepEqual(got['/api/v1/namespaces/{namespace}/pods/{name}/exec'], [
      'get connectCoreV1GetNamespacedPodExec connect',
      'post connectCoreV1PostNamespacedPodExec connect',
    ]);
    assert.deepEqual(got['/api/v1/namespaces/{namespace}/pods/{name}/log'], ['get readCoreV1NamespacedPodLog get']);
    assert.deepEqual(got['/api/v1/namespaces/{namespace}/pods/{name}/eviction'], ['post createCoreV1NamespacedPodEviction post']);
    assert.deepEqual(got['/api/v1/pods'], ['get listCoreV1PodForAllNamespaces list']);
    assert.deepEqual(got['/api/v1/watch/namespaces/{namespace}/pods/{name}'], ['get watchCoreV1NamespacedPod watch']);
  });

  it('gives subresources that speak another kind that kind', () => {
    const eviction = pathsOf('Pod').find((x) => x.path.endsWith('/eviction'))!.operations[0]!;
    assert.deepEqual(eviction.gvk, { group: 'policy', version: 'v1', kind: 'Eviction' });
    assert.deepEqual(eviction.body?.definition, 'def.Eviction');
  });

  it('keeps cluster-scoped resources out of namespaces and follows their verbs', () => {
    const got = ids(pathsOf('Namespace'));
    assert.deepEqual(Object.keys(got).sort(), [
      '/api/v1/namespaces',
      '/api/v1/namespaces/{name}',
      '/api/v1/namespaces/{name}/finalize',
      '/api/v1/namespaces/{name}/status',
      '/api/v1/watch/namespaces',
      '/api/v1/watch/namespaces/{name}',
    ]);
    assert.ok(!got['/api/v1/namespaces']!.some((x) => x.includes('deletecollection')), 'namespaces have no deletecollection verb');
    assert.deepEqual(got['/api/v1/namespaces/{name}/finalize'], ['put replaceCoreV1NamespaceFinalize put']);
  });

  it('puts path parameters on the path and pretty everywhere', () => {
    const item = pathsOf('Deployment', 'apps').find((x) => x.path === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
    assert.deepEqual(item.parameters.map((x) => `${x.in}:${x.name}`), ['path:name', 'path:namespace', 'query:pretty']);
  });
});
