import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiError } from '../errors.ts';
import { decodeObject, encodeObject, isProtobufEncodable } from './index.ts';

const deployment = readFileSync(new URL('./testdata/create-deployment-pbd.bin', import.meta.url));
const magic = [0x6b, 0x38, 0x73, 0x00];

// unknownBody wraps raw message bytes in an envelope naming the given type.
function unknownBody(apiVersion: string, kind: string, raw: number[] = []): Uint8Array {
  const av = [...Buffer.from(apiVersion)];
  const k = [...Buffer.from(kind)];
  const typeMeta = [0x0a, av.length, ...av, 0x12, k.length, ...k];
  return new Uint8Array([...magic, 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw]);
}

function rejects(body: Uint8Array, message: RegExp): void {
  assert.throws(
    () => decodeObject(body),
    (err: unknown) => {
      assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
      assert.equal(err.reason, 'BadRequest');
      assert.equal(err.code, 400);
      assert.match(err.message, message);
      return true;
    },
  );
}

describe('decodeObject rejects malformed bodies with a 400', () => {
  const cases = [
    { name: 'empty body', body: new Uint8Array(0), message: /empty body/ },
    { name: 'JSON instead of protobuf', body: new Uint8Array(Buffer.from('{"kind":"Pod"}')), message: /does not start with the Kubernetes protobuf prefix/ },
    { name: 'magic only', body: new Uint8Array(magic), message: /no apiVersion or kind/ },
    { name: 'truncated in the middle of the object', body: deployment.subarray(0, 120), message: /invalid protobuf body: .*overruns/ },
    { name: 'truncated inside a varint', body: new Uint8Array([...magic, 0x0a, 0x80]), message: /invalid protobuf body: unexpected end of data/ },
    { name: 'wrong wire type for a string field', body: unknownBody('v1', 'ConfigMap', [0x0a, 0x02, 0x08, 0x01]), message: /field 1 \(name\) of k8s\.io\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta has wire type 0, expected 2/ },
    { name: 'unsupported wire type (group)', body: unknownBody('v1', 'ConfigMap', [0x9b, 0x06]), message: /unsupported wire type 3/ },
    { name: 'unknown kind in a built-in group', body: unknownBody('v1', 'Frobnicator'), message: /no kind "Frobnicator" is registered for version "v1"/ },
    { name: 'custom resource group', body: unknownBody('stable.example.com/v1', 'CronTab'), message: /no kind "CronTab" is registered for version "stable\.example\.com\/v1"/ },
    { name: 'a kind that is not a top-level object', body: unknownBody('v1', 'PodSpec'), message: /no kind "PodSpec"/ },
    { name: 'raw extension that is neither JSON nor protobuf', body: unknownBody('apps/v1', 'ControllerRevision', [0x12, 0x03, 0x0a, 0x01, 0x7b]), message: /neither JSON nor a Kubernetes protobuf object/ },
  ];
  for (const c of cases) it(c.name, () => rejects(c.body, c.message));

  it('reports a non-empty contentEncoding instead of misreading the bytes', () => {
    const body = unknownBody('v1', 'ConfigMap');
    const withEncoding = new Uint8Array([...body, 0x1a, 0x04, ...Buffer.from('gzip')]);
    rejects(withEncoding, /unsupported contentEncoding "gzip"/);
  });

  it('skips unknown fields, as protobuf readers must', () => {
    // Field 99 (varint) and field 98 (bytes) are not in ConfigMap.
    const body = unknownBody('v1', 'ConfigMap', [0x98, 0x06, 0x05, 0x92, 0x06, 0x01, 0x00]);
    assert.deepEqual(decodeObject(body).object, { apiVersion: 'v1', kind: 'ConfigMap' });
  });
});

describe('encodeObject errors', () => {
  it('refuses types without a protobuf message (fall back to JSON)', () => {
    assert.throws(() => encodeObject({ apiVersion: 'stable.example.com/v1', kind: 'CronTab' }), (err: unknown) => err instanceof ApiError && err.reason === 'NotAcceptable');
  });
  it('refuses an object without apiVersion/kind', () => {
    assert.throws(() => encodeObject({ metadata: {} }), (err: unknown) => err instanceof ApiError && /without apiVersion and kind/.test(err.message));
  });
  it('names the field whose value has the wrong type', () => {
    assert.throws(
      () => encodeObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 'two' } }),
      (err: unknown) => err instanceof ApiError && /k8s\.io\.api\.apps\.v1\.DeploymentSpec\.replicas: expected an integer/.test(err.message),
    );
  });
});

describe('isProtobufEncodable', () => {
  const cases: [string, string, boolean][] = [
    ['v1', 'Pod', true],
    ['v1', 'PodList', true],
    ['apps/v1', 'Deployment', true],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole', true],
    ['authorization.k8s.io/v1', 'SelfSubjectAccessReview', true],
    ['flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', true],
    ['internal.apiserver.k8s.io/v1alpha1', 'StorageVersion', true],
    ['v1', 'Status', true],
    ['apps/v1', 'DeleteOptions', true],
    ['meta.k8s.io/v1', 'PartialObjectMetadataList', true],
    ['meta.k8s.io/v1', 'Table', false],
    ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', false],
    ['stable.example.com/v1', 'CronTab', false],
    ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', false],
    ['v1', 'PodSpec', false],
    ['v1', 'ObjectMeta', false],
    ['apps/v1/extra', 'Deployment', false],
  ];
  for (const [apiVersion, kind, want] of cases) it(`${apiVersion} ${kind} → ${want}`, () => assert.equal(isProtobufEncodable(apiVersion, kind), want));
});
