import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources, type ResourceInfo } from '../../api/kinds.ts';
import { OpenApiBuilder, sha512Hex } from './builder.ts';
import type { CustomResourceSchema, Schema } from './types.ts';

type Doc = { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, Schema> } };

const builder = new OpenApiBuilder({ resources: builtinResources, version: 'v1.32.5' });
const doc = (gv: string): Doc => builder.v3Document(gv) as unknown as Doc;

// kubernetes-types' JSONSchemaProps has no x-kubernetes-* fields; real CRD data carries them anyway.
const embedded = { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true };

const widget = (sub: string[] = ['status', 'scale']): CustomResourceSchema => ({
  info: {
    group: 'example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', resource: 'widgets', singular: 'widget',
    namespaced: true, shortNames: [], categories: [], subresources: sub, verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  schema: {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { size: { type: 'integer' }, template: embedded } },
    },
  },
});

function refsIn(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
}

describe('OpenApiBuilder v3 documents', () => {
  it('roots every served group-version at a hash of its document', () => {
    const root = builder.v3Root();
    assert.deepEqual(Object.keys(root.paths).sort(), builder.groupVersionPaths());
    assert.ok(root.paths['api/v1'] && root.paths['apis/apps/v1']);
    const served = builder.v3Served('apis/apps/v1')!;
    assert.equal(root.paths['apis/apps/v1']!.serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${served.hash}`);
    assert.equal(served.hash, sha512Hex(served.body));
    assert.match(served.hash, /^[0-9A-F]{128}$/);
  });

  it('documents collection, item, all-namespaces, watch and subresource paths for Deployments', () => {
    const paths = doc('apis/apps/v1').paths;
    const want = {
      '/apis/apps/v1/deployments': ['get'],
      '/apis/apps/v1/watch/namespaces/{namespace}/deployments': ['get'],
      '/apis/apps/v1/namespaces/{namespace}/deployments': ['delete', 'get', 'post'],
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}': ['delete', 'get', 'patch', 'put'],
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status': ['get', 'patch', 'put'],
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale': ['get', 'patch', 'put'],
    };
    for (const [path, methods] of Object.entries(want)) {
      const item = paths[path];
      assert.ok(item, path);
      assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters').sort(), methods, path);
    }
    const scale = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']!.patch!;
    assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  });

  it('gives PATCH the fieldValidation parameter, the gvk and every patch content type', () => {
    const patch = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch! as {
      parameters: { name: string; in: string }[];
      requestBody: { content: Record<string, unknown> };
    } & Record<string, unknown>;
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.ok(patch.parameters.some((x) => x.name === 'fieldValidation' && x.in === 'query'));
    assert.deepEqual(Object.keys(patch.requestBody.content), [
      'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
    ]);
  });

  it('marks every operation of a resource path with its action', () => {
    for (const gv of builder.groupVersionPaths()) {
      for (const [path, item] of Object.entries(doc(gv).paths)) {
        if (path.endsWith('/')) continue;
        for (const [method, op] of Object.entries(item)) {
          if (method === 'parameters') continue;
          assert.ok(op['x-kubernetes-action'], `${gv} ${method} ${path}`);
          assert.ok(op['x-kubernetes-group-version-kind'], `${gv} ${method} ${path}`);
        }
      }
    }
  });

  it('holds the closure of referenced schemas, with descriptions and extensions', () => {
    for (const gv of builder.groupVersionPaths()) {
      const d = doc(gv);
      for (const ref of refsIn(d)) {
        assert.ok(ref.startsWith('#/components/schemas/'), `${gv}: ${ref}`);
        assert.ok(d.components.schemas[ref.slice('#/components/schemas/'.length)], `${gv}: dangling ${ref}`);
      }
    }
    const schemas = doc('api/v1').components.schemas;
    assert.deepEqual(schemas['io.k8s.api.core.v1.Pod']!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    const containers = schemas['io.k8s.api.core.v1.PodSpec']!.properties!.containers!;
    assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(containers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
    assert.match(containers.description ?? '', /List of containers belonging to the pod/);
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']!['x-kubernetes-map-type'], 'atomic');
    const strategy = doc('apis/apps/v1').components.schemas['io.k8s.api.apps.v1.DeploymentSpec']!.properties!.strategy!;
    assert.deepEqual(strategy.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }]);
  });

  it('documents a create-only kind with POST alone', () => {
    const paths = doc('apis/authentication.k8s.io/v1').paths;
    assert.deepEqual(Object.keys(paths['/apis/authentication.k8s.io/v1/tokenreviews']!).filter((k) => k !== 'parameters'), ['post']);
    assert.ok(!JSON.stringify(paths).includes('"patch"'));
  });

  it('answers undefined for a group-version it does not serve', () => {
    assert.equal(builder.v3Document('apis/nope/v1'), undefined);
    assert.equal(builder.v3Served('apis/nope/v1'), undefined);
  });
});

describe('OpenApiBuilder custom resources', () => {
  const core: ResourceInfo[] = builtinResources.filter((r) => r.group === '' || r.group === 'apps');
  const b = new OpenApiBuilder({ resources: core, customResources: [widget()] });
  const d = b.v3Document('apis/example.com/v1') as unknown as Doc;

  it('publishes the CR kind with metadata, type meta, its own fields and the gvk', () => {
    const s = d.components.schemas['com.example.v1.Widget']!;
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    assert.deepEqual(s.properties!.metadata!.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.match(s.properties!.metadata!.description ?? '', /Standard object's metadata/);
    assert.equal(s.properties!.apiVersion!.type, 'string');
    assert.equal(s.properties!.spec!.properties!.size!.type, 'integer');
    const template = s.properties!.spec!.properties!.template!;
    assert.deepEqual(Object.keys(template.properties ?? {}).sort(), ['apiVersion', 'kind', 'metadata'], 'embedded resources get type meta in v3');
    assert.ok(d.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.deepEqual(d.components.schemas['com.example.v1.WidgetList']!['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'WidgetList', version: 'v1' }]);
  });

  it('offers no strategic merge patch for CRs, and Scale for their scale subresource', () => {
    const patch = d.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}']!.patch! as { requestBody: { content: Record<string, unknown> } };
    assert.deepEqual(Object.keys(patch.requestBody.content), ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    assert.ok(d.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status']);
    assert.ok(d.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('publishes an open object in v2 where the schema keeps unknown fields', () => {
    const v2 = b.v2Json() as { definitions: Record<string, Schema> };
    const template = v2.definitions['com.example.v1.Widget']!.properties!.spec!.properties!.template!;
    assert.equal(template.type, undefined);
    assert.equal(template.properties, undefined);
  });

  it('reuses unchanged group-versions when CRDs change and rehashes the changed one', () => {
    const next = b.withCustomResources([widget(['status'])]);
    assert.equal(next.v3Document('apis/apps/v1'), b.v3Document('apis/apps/v1'), 'apps/v1 comes from the shared cache');
    assert.notEqual(next.v3Root().paths['apis/example.com/v1']!.serverRelativeURL, b.v3Root().paths['apis/example.com/v1']!.serverRelativeURL);
    const gone = next.withCustomResources([]);
    assert.equal(gone.v3Document('apis/example.com/v1'), undefined);
    assert.ok(!gone.groupVersionPaths().includes('apis/example.com/v1'));
  });
});
