import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinSchemaRegistry } from './openapi.ts';
import type { ListSchema, MapSchema, Schema } from './schema.ts';

const registry = builtinSchemaRegistry();

// at walks declared fields and list elements ("[]") from a root schema.
function at(root: Schema | undefined, ...path: string[]): Schema | undefined {
  let s = root;
  for (const p of path) {
    if (!s) return undefined;
    if (p === '[]') s = s.kind === 'list' ? s.element : undefined;
    else s = s.kind === 'map' ? (s.field(p) ?? s.element) : undefined;
  }
  return s;
}

function describeSchema(s: Schema | undefined): string {
  if (!s) return 'none';
  switch (s.kind) {
    case 'list': {
      const l: ListSchema = s;
      const defaults = [...l.keyDefaults].map(([k, v]) => `${k}=${String(v)}`).join(',');
      return `list:${l.listType}${l.keys.length ? `(${l.keys.join(',')})` : ''}${defaults ? ` default ${defaults}` : ''}`;
    }
    case 'map': {
      const m: MapSchema = s;
      return `map:${m.atomic ? 'atomic' : 'granular'}`;
    }
    default:
      return s.kind;
  }
}

describe('builtin schemas', () => {
  const deployment = registry.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' });
  const pod = registry.forKind({ group: '', version: 'v1', kind: 'Pod' });
  const service = registry.forKind({ group: '', version: 'v1', kind: 'Service' });
  const containers = ['spec', 'template', 'spec', 'containers'];
  const cases = [
    { name: 'containers are a map list keyed by name', s: at(deployment, ...containers), want: 'list:map(name)' },
    { name: 'container ports key on containerPort and protocol, protocol defaulting to TCP', s: at(deployment, ...containers, '[]', 'ports'), want: 'list:map(containerPort,protocol) default protocol=TCP' },
    { name: 'service ports key on port and protocol', s: at(service, 'spec', 'ports'), want: 'list:map(port,protocol) default protocol=TCP' },
    { name: 'finalizers are a set', s: at(pod, 'metadata', 'finalizers'), want: 'list:set' },
    { name: 'args are atomic', s: at(pod, 'spec', 'containers', '[]', 'args'), want: 'list:atomic' },
    { name: 'ownerReferences are keyed by uid', s: at(pod, 'metadata', 'ownerReferences'), want: 'list:map(uid)' },
    { name: 'labels are a granular map', s: at(pod, 'metadata', 'labels'), want: 'map:granular' },
    { name: 'a label value is a scalar', s: at(pod, 'metadata', 'labels', 'app'), want: 'scalar' },
    { name: 'a label selector is an atomic struct', s: at(deployment, 'spec', 'selector'), want: 'map:atomic' },
    { name: 'int-or-string is a scalar', s: at(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxSurge'), want: 'scalar' },
    { name: 'quantities are scalars', s: at(pod, 'spec', 'containers', '[]', 'resources', 'limits', 'cpu'), want: 'scalar' },
    { name: 'an undeclared struct field has no type', s: at(pod, 'spec', 'bogus'), want: 'none' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(describeSchema(c.s), c.want));

  it('an unknown kind has no schema', () => assert.equal(registry.forKind({ group: 'example.com', version: 'v1', kind: 'Widget' }), undefined));
  it('the same kind yields the same cached schema', () => {
    assert.equal(registry.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' }), deployment);
  });
  it('RawExtension is untyped', () => assert.equal(registry.forDefinition('io.k8s.apimachinery.pkg.runtime.RawExtension')?.kind, 'untyped'));
  it('records the Go value structs and required fields a zero object holds', () => {
    const spec = at(deployment, 'spec');
    assert.ok(spec?.kind === 'map');
    assert.deepEqual([...spec.valueFields].sort(), ['strategy', 'template']);
    assert.deepEqual([...spec.requiredFields].sort(), ['selector', 'template']);
  });
  it('recursive definitions load lazily', () => {
    const crd = registry.forKind({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' });
    const props = at(crd, 'spec', 'versions', '[]', 'schema', 'openAPIV3Schema', 'properties', 'x', 'properties', 'y', 'type');
    assert.equal(describeSchema(props), 'scalar');
  });
});

describe('custom resource schemas', () => {
  const openAPIV3Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
          steps: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'port'] },
          args: { type: 'array', items: { type: 'string' } },
          config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          target: { type: 'object', properties: { kind: { type: 'string' } }, 'x-kubernetes-map-type': 'atomic' },
          size: { 'x-kubernetes-int-or-string': true },
          env: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };
  const cr = registry.forCustomResource(openAPIV3Schema);
  const cases = [
    { name: 'metadata is the standard ObjectMeta', s: at(cr, 'metadata', 'labels'), want: 'map:granular' },
    { name: 'apiVersion is a scalar even when undeclared', s: at(cr, 'apiVersion'), want: 'scalar' },
    { name: 'x-kubernetes-list-type: set', s: at(cr, 'spec', 'tags'), want: 'list:set' },
    { name: 'map-list keys with a schema default', s: at(cr, 'spec', 'steps'), want: 'list:map(name,port) default port=80' },
    { name: 'lists default to atomic', s: at(cr, 'spec', 'args'), want: 'list:atomic' },
    { name: 'x-kubernetes-preserve-unknown-fields makes unknown fields deduced', s: at(cr, 'spec', 'config', 'anything'), want: 'deduced' },
    { name: 'x-kubernetes-map-type: atomic', s: at(cr, 'spec', 'target'), want: 'map:atomic' },
    { name: 'x-kubernetes-int-or-string', s: at(cr, 'spec', 'size'), want: 'scalar' },
    { name: 'additionalProperties is a granular map', s: at(cr, 'spec', 'env'), want: 'map:granular' },
    { name: 'undeclared fields have no type', s: at(cr, 'spec', 'bogus'), want: 'none' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(describeSchema(c.s), c.want));
  it('is cached per schema object', () => assert.equal(registry.forCustomResource(openAPIV3Schema), cr));
  it('custom resources have no Go zero values', () => {
    const spec = at(cr, 'spec');
    assert.ok(spec?.kind === 'map');
    assert.equal(spec.valueFields.size + spec.requiredFields.size, 0);
  });
});
