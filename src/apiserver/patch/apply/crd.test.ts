import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../api/errors.ts';
import { serverSideApply, updateManagedFields } from './fieldmanager.ts';
import { fieldsOf } from './fixtures.ts';
import type { JsonObject } from './json.ts';
import { builtinSchemaRegistry } from './openapi.ts';

// A custom resource whose spec.config keeps whatever it is given (x-kubernetes-preserve-unknown-fields).
const schema = builtinSchemaRegistry().forCustomResource({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
});
const now = Date.parse('2025-01-01T00:00:00Z');

function widget(spec: JsonObject, labels?: Record<string, string>): JsonObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default', ...(labels ? { labels } : {}) }, spec };
}

function apply(live: JsonObject | null, applied: JsonObject, manager: string, force = false): JsonObject {
  return serverSideApply({ live, applied, manager, force, schema, now }).object;
}

describe('custom resources with x-kubernetes-preserve-unknown-fields', () => {
  const first = (): JsonObject => apply(null, widget({ replicas: 1, config: { a: { b: 1 }, list: [1, 2] } }, { app: 'w' }), 'alice');

  it('owns unknown maps entry by entry and unknown lists as a whole', () => {
    assert.equal(
      fieldsOf(first(), 'alice'),
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:config":{"f:a":{".":{},"f:b":{}},"f:list":{}},"f:replicas":{}}}',
    );
  });

  it('merges another applier\'s unknown fields beside them', () => {
    const obj = apply(first(), widget({ config: { a: { c: 2 } } }), 'bob');
    assert.deepEqual((obj.spec as JsonObject).config, { a: { b: 1, c: 2 }, list: [1, 2] });
    assert.equal(fieldsOf(obj, 'bob'), '{"f:spec":{"f:config":{"f:a":{".":{},"f:c":{}}}}}');
  });

  it('removes unknown fields the applier drops, keeping those another manager owns', () => {
    let obj = apply(first(), widget({ config: { a: { c: 2 } } }), 'bob');
    obj = apply(obj, widget({ replicas: 1, config: {} }), 'alice');
    assert.deepEqual(obj.spec, { replicas: 1, config: { a: { c: 2 } } });
  });

  it('replaces an unknown list wholesale on a forced apply, and conflicts without force', () => {
    const live = first();
    assert.throws(
      () => apply(live, widget({ config: { list: [3] } }), 'bob'),
      (e: unknown) => e instanceof ApiError && e.message === 'Apply failed with 1 conflict: conflict with "alice": .spec.config.list',
    );
    const obj = apply(live, widget({ config: { list: [3] } }), 'bob', true);
    assert.deepEqual(((obj.spec as JsonObject).config as JsonObject).list, [3]);
  });

  it('rejects fields the schema neither declares nor preserves', () => {
    assert.throws(() => apply(null, widget({ bogus: true }), 'alice'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message.endsWith('.spec.bogus: field not declared in schema'));
  });

  it('records a created custom resource with its spec as a node, as upstream does for unstructured objects', () => {
    const r = updateManagedFields({ live: null, updated: widget({ replicas: 2 }), manager: 'kubectl-create', schema, now });
    assert.equal(fieldsOf(r.object, 'kubectl-create'), '{"f:spec":{".":{},"f:replicas":{}}}');
  });
});
