import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { builtinResources } from '../../api/kinds.ts';
import { OpenApiBuilder } from './builder.ts';
import { OpenApiV2Codec, schemaMessage } from './proto.ts';

type Named<T> = { name: string; value: T };
type Any = { yaml: string };
type ProtoSchema = { ref?: string; vendorExtension?: Named<Any>[]; properties?: { additionalProperties: Named<ProtoSchema>[] } };
type ProtoOp = { operationId: string; parameters: { parameter: Record<string, Record<string, unknown>> }[]; vendorExtension: Named<Any>[]; consumes: string[] };
type ProtoDoc = {
  swagger: string;
  info: { title: string; version: string };
  paths: { path: Named<Record<string, ProtoOp>>[] };
  definitions: { additionalProperties: Named<ProtoSchema>[] };
};

const codec = new OpenApiV2Codec();

describe('OpenApiV2Codec wire format', () => {
  it('encodes a NamedSchema entry with gnostic field numbers', () => {
    // Definitions.additional_properties=1 { NamedSchema name=1 "a", value=2 Schema { type=22 TypeItem { value=1 "string" } } }
    const want = [0x0a, 0x10, 0x0a, 0x01, 0x61, 0x12, 0x0b, 0xb2, 0x01, 0x08, 0x0a, 0x06, ...Buffer.from('string')];
    assert.deepEqual([...codec.definitionEntry('a', { type: 'string' })], want);
  });

  it('encodes refs in Schema._ref (field 1) and extensions as YAML in NamedAny (field 31)', () => {
    const bytes = codec.definitionEntry('b', { $ref: '#/definitions/x', 'x-kubernetes-map-type': 'atomic' });
    const text = Buffer.from(bytes).toString('latin1');
    assert.ok(text.includes('\x0a\x0f#/definitions/x'), 'ref as field 1');
    assert.ok(text.includes('\xfa\x01'), 'vendor_extension as field 31');
    assert.ok(text.includes('x-kubernetes-map-type') && text.includes('atomic\n'));
  });
});

describe('schemaMessage', () => {
  const cases = [
    { name: 'boolean additionalProperties', in: { type: 'object', additionalProperties: true }, want: { type: { value: ['object'] }, additionalProperties: { boolean: true } } },
    { name: 'schema additionalProperties', in: { additionalProperties: { type: 'string' } }, want: { additionalProperties: { schema: { type: { value: ['string'] } } } } },
    { name: 'defaults and enums become YAML', in: { type: 'string', default: 'on', enum: ['a', 'b'] }, want: { type: { value: ['string'] }, default: { yaml: '"on"\n' }, enum: [{ yaml: 'a\n' }, { yaml: 'b\n' }] } },
    { name: 'an array has exactly one items schema', in: { type: 'array', items: { $ref: '#/definitions/x' } }, want: { type: { value: ['array'] }, items: { schema: [{ ref: '#/definitions/x' }] } } },
    { name: 'an untyped schema has no TypeItem', in: { description: 'anything' }, want: { description: 'anything' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(schemaMessage(c.in), c.want));
});

describe('OpenApiBuilder.v2Protobuf', () => {
  const builder = new OpenApiBuilder({ resources: builtinResources, version: 'v1.32.5' });
  const json = builder.v2Json() as { paths: Record<string, unknown>; definitions: Record<string, unknown> };
  const doc = codec.decode(builder.v2Protobuf()) as unknown as ProtoDoc;

  it('carries the header, every path and every definition of the JSON document', () => {
    assert.equal(doc.swagger, '2.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.5' });
    assert.deepEqual(doc.paths.path.map((p) => p.name).sort(), Object.keys(json.paths).sort());
    assert.deepEqual(doc.definitions.additionalProperties.map((d) => d.name), Object.keys(json.definitions).sort());
  });

  it('keeps the gvk and patch extensions kubectl reads', () => {
    const defs = new Map(doc.definitions.additionalProperties.map((d) => [d.name, d.value]));
    const gvk = defs.get('io.k8s.api.apps.v1.Deployment')!.vendorExtension!.find((e) => e.name === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(parse(gvk.value.yaml), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const containers = defs.get('io.k8s.api.core.v1.PodSpec')!.properties!.additionalProperties.find((p) => p.name === 'containers')!.value;
    const ext = Object.fromEntries(containers.vendorExtension!.map((e) => [e.name, parse(e.value.yaml) as unknown]));
    assert.deepEqual(ext, { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
  });

  it('lists fieldValidation on PATCH with the operation gvk', () => {
    const item = doc.paths.path.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!.value;
    const patch = item.patch!;
    assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
    const names = patch.parameters.map((p) => {
      const param = p.parameter;
      const sub = (param.nonBodyParameter?.queryParameterSubSchema ?? param.bodyParameter) as { name: string };
      return sub.name;
    });
    assert.deepEqual(names, ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'body']);
    assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
    const gvk = patch.vendorExtension.find((e) => e.name === 'x-kubernetes-group-version-kind')!;
    assert.deepEqual(parse(gvk.value.yaml), { group: 'apps', kind: 'Deployment', version: 'v1' });
  });

  it('serves the same bytes again without re-encoding', () => {
    assert.equal(builder.v2Protobuf(), builder.v2Protobuf());
  });
});
