import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DefinitionCatalog } from './catalog.ts';
import { DescriptionIndex } from './descriptions.ts';
import type { Schema } from './types.ts';

describe('DefinitionCatalog over the shipped definitions', () => {
  const catalog = new DefinitionCatalog();

  it('joins type and field descriptions into v2 definitions, keeping refs and extensions', () => {
    const spec = catalog.v2('io.k8s.api.apps.v1.DeploymentSpec');
    assert.match(spec.description ?? '', /DeploymentSpec is the specification of the desired behavior of the Deployment/);
    assert.equal(spec.properties!.strategy!.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy');
    assert.equal(spec.properties!.strategy!.description, 'The deployment strategy to use to replace existing pods with new ones.');
    assert.equal(spec.properties!.strategy!['x-kubernetes-patch-strategy'], 'retainKeys');
  });

  it('finds kinds by group, version and kind', () => {
    assert.equal(catalog.definitionFor({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'io.k8s.api.apps.v1.Deployment');
    assert.equal(catalog.definitionFor({ group: '', version: 'v1', kind: 'Event' }), 'io.k8s.api.core.v1.Event');
    assert.equal(catalog.definitionFor({ group: 'events.k8s.io', version: 'v1', kind: 'Event' }), 'io.k8s.api.events.v1.Event');
    assert.equal(catalog.definitionFor({ group: 'apps', version: 'v1', kind: 'Nope' }), undefined);
  });

  it('closes over references, sorted', () => {
    const names = catalog.closure(['io.k8s.api.coordination.v1.Lease']);
    assert.deepEqual(names, [...names].sort());
    for (const want of ['io.k8s.api.coordination.v1.Lease', 'io.k8s.api.coordination.v1.LeaseSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']) {
      assert.ok(names.includes(want), want);
    }
    assert.ok(!names.includes('io.k8s.api.core.v1.Pod'));
  });

  it('hands out one cached object per definition and form', () => {
    assert.equal(catalog.v3('io.k8s.api.core.v1.Pod'), catalog.v3('io.k8s.api.core.v1.Pod'));
    assert.notEqual(catalog.v2('io.k8s.api.core.v1.Pod'), catalog.v3('io.k8s.api.core.v1.Pod'));
  });
});

describe('DefinitionCatalog with injected definitions', () => {
  const definitions: Record<string, Schema> = {
    'io.k8s.api.apps.v1.DeploymentStrategy': { type: 'object', properties: { type: { type: 'string' }, brandNew: { type: 'string' } } },
  };
  const catalog = new DefinitionCatalog({ definitions, descriptions: new DescriptionIndex() });

  it('leaves fields kubernetes-types does not know undescribed and does not touch its input', () => {
    const s = catalog.v2('io.k8s.api.apps.v1.DeploymentStrategy');
    assert.equal(s.properties!.brandNew!.description, undefined);
    assert.match(s.properties!.type!.description ?? '', /Recreate/);
    assert.equal(definitions['io.k8s.api.apps.v1.DeploymentStrategy']!.properties!.type!.description, undefined);
  });

  it('rejects a definition it does not have', () => {
    assert.throws(() => catalog.v2('io.k8s.api.apps.v1.Deployment'), /unknown OpenAPI definition/);
  });
});
