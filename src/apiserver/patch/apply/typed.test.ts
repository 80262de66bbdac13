import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareObjects } from './compare.ts';
import { FieldSet } from './fieldset.ts';
import { mergeObjects } from './merge.ts';
import { builtinSchemaRegistry } from './openapi.ts';
import type { Schema } from './schema.ts';
import { ensureNamedFieldsAreMembers, fieldSetOf, removeItems } from './typed.ts';

const registry = builtinSchemaRegistry();
// A small schema with one field of each kind, written as a CRD would declare it.
const schema = registry.forCustomResource({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
        },
        args: { type: 'array', items: { type: 'string' } },
        target: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { kind: { type: 'string' }, name: { type: 'string' } } },
        options: { type: 'object', properties: { debug: { type: 'boolean' } } },
        env: { type: 'object', additionalProperties: { type: 'string' } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
});
const json = (s: FieldSet): string => JSON.stringify(s.toFieldsV1());

describe('fieldSetOf', () => {
  const cases: { name: string; obj: unknown; want: string }[] = [
    { name: 'scalars are members', obj: { spec: { replicas: 3 } }, want: '{"f:spec":{"f:replicas":{}}}' },
    { name: 'set items by value', obj: { spec: { tags: ['b', 'a'] } }, want: '{"f:spec":{"f:tags":{"v:\\"a\\"":{},"v:\\"b\\"":{}}}}' },
    { name: 'map-list items by key, with their fields', obj: { spec: { items: [{ name: 'x', value: '1' }] } }, want: '{"f:spec":{"f:items":{"k:{\\"name\\":\\"x\\"}":{".":{},"f:name":{},"f:value":{}}}}}' },
    { name: 'an atomic list is one member', obj: { spec: { args: ['a', 'b'] } }, want: '{"f:spec":{"f:args":{}}}' },
    { name: 'an atomic struct is one member', obj: { spec: { target: { kind: 'k', name: 'n' } } }, want: '{"f:spec":{"f:target":{}}}' },
    { name: 'an empty struct is a member', obj: { spec: { options: {} } }, want: '{"f:spec":{"f:options":{}}}' },
    { name: 'a null struct is a member', obj: { spec: { options: null } }, want: '{"f:spec":{"f:options":{}}}' },
    { name: 'an empty map list owns nothing', obj: { spec: { items: [] } }, want: '{}' },
    { name: 'map entries are members', obj: { spec: { env: { A: '1' } } }, want: '{"f:spec":{"f:env":{"f:A":{}}}}' },
    {
      name: 'preserved unknown fields: maps granular, lists atomic',
      obj: { spec: { config: { a: { b: 1 }, list: [1, 2] } } },
      want: '{"f:spec":{"f:config":{"f:a":{".":{},"f:b":{}},"f:list":{}}}}',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(json(fieldSetOf(c.obj, schema)), c.want));

  const strictCases: { name: string; obj: unknown; message: string }[] = [
    { name: 'an undeclared field', obj: { spec: { bogus: 1 } }, message: '.spec.bogus: field not declared in schema' },
    { name: 'a duplicate key', obj: { spec: { items: [{ name: 'x' }, { name: 'x' }] } }, message: '.spec.items: duplicate entries for key [name="x"]' },
    { name: 'a duplicate set item', obj: { spec: { tags: ['a', 'a'] } }, message: '.spec.tags: duplicate entries for key [="a"]' },
    { name: 'a map in a set', obj: { spec: { tags: [{}] } }, message: ".spec.tags: element 0: associative list without keys has an element that's a map type" },
  ];
  for (const c of strictCases) {
    it(`strict rejects ${c.name}`, () => assert.throws(() => fieldSetOf(c.obj, schema, true), { message: c.message }));
  }
  it('lenient mode records an undeclared field as a map entry', () => assert.equal(json(fieldSetOf({ spec: { bogus: { x: 1 } } }, schema)), '{"f:spec":{"f:bogus":{".":{},"f:x":{}}}}'));
});

describe('mergeObjects', () => {
  const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
    { name: 'config leaves win', live: { spec: { replicas: 1, args: ['a'] } }, config: { spec: { replicas: 2 } }, want: { spec: { replicas: 2, args: ['a'] } } },
    { name: 'atomic lists are replaced', live: { spec: { args: ['a', 'b'] } }, config: { spec: { args: ['c'] } }, want: { spec: { args: ['c'] } } },
    { name: 'atomic structs are replaced', live: { spec: { target: { kind: 'a', name: 'b' } } }, config: { spec: { target: { kind: 'c' } } }, want: { spec: { target: { kind: 'c' } } } },
    { name: 'sets union, live items first', live: { spec: { tags: ['a', 'b'] } }, config: { spec: { tags: ['b', 'c'] } }, want: { spec: { tags: ['a', 'b', 'c'] } } },
    {
      name: 'map lists merge items by key',
      live: { spec: { items: [{ name: 'x', value: '1' }, { name: 'y', value: '2' }] } },
      config: { spec: { items: [{ name: 'y', value: '3' }] } },
      want: { spec: { items: [{ name: 'x', value: '1' }, { name: 'y', value: '3' }] } },
    },
    {
      name: 'shared items follow the config order, live-only items keep their place',
      live: { spec: { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } },
      config: { spec: { items: [{ name: 'c' }, { name: 'a' }] } },
      want: { spec: { items: [{ name: 'b' }, { name: 'c' }, { name: 'a' }] } },
    },
    { name: 'new config items go where the config puts them', live: { spec: { items: [{ name: 'a' }] } }, config: { spec: { items: [{ name: 'x' }, { name: 'a' }] } }, want: { spec: { items: [{ name: 'x' }, { name: 'a' }] } } },
    { name: 'a null struct field is dropped', live: { spec: { replicas: 3, args: ['a'] } }, config: { spec: { replicas: null } }, want: { spec: { args: ['a'] } } },
    { name: 'a null map keeps the live entries', live: { spec: { env: { A: '1' } } }, config: { spec: { env: null } }, want: { spec: { env: { A: '1' } } } },
    { name: 'preserved unknown maps merge by key', live: { spec: { config: { a: 1, b: { c: 1 } } } }, config: { spec: { config: { b: { d: 2 } } } }, want: { spec: { config: { a: 1, b: { c: 1, d: 2 } } } } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(mergeObjects(c.live, c.config, schema), c.want));
});

describe('compareObjects', () => {
  const cases: { name: string; before: unknown; after: unknown; added: string; modified: string; removed: string }[] = [
    { name: 'leaves', before: { spec: { replicas: 1, args: ['a'] } }, after: { spec: { replicas: 2, tags: ['x'] } }, added: '{"f:spec":{"f:tags":{".":{},"v:\\"x\\"":{}}}}', modified: '{"f:spec":{"f:replicas":{}}}', removed: '{"f:spec":{"f:args":{}}}' },
    { name: 'a new map records the map and its entries', before: { spec: {} }, after: { spec: { env: { A: '1' } } }, added: '{"f:spec":{"f:env":{".":{},"f:A":{}}}}', modified: '{}', removed: '{}' },
    { name: 'a removed list item', before: { spec: { items: [{ name: 'x', value: '1' }] } }, after: { spec: { items: [] } }, added: '{}', modified: '{}', removed: '{"f:spec":{"f:items":{"k:{\\"name\\":\\"x\\"}":{".":{},"f:name":{},"f:value":{}}}}}' },
    { name: 'null is absent', before: { spec: { replicas: null } }, after: { spec: {} }, added: '{}', modified: '{}', removed: '{}' },
    { name: 'equal objects', before: { spec: { tags: ['a'], config: { x: [1] } } }, after: { spec: { tags: ['a'], config: { x: [1] } } }, added: '{}', modified: '{}', removed: '{}' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = compareObjects(c.before, c.after, schema);
      assert.deepEqual([json(got.added), json(got.modified), json(got.removed)], [c.added, c.modified, c.removed]);
    });
  }
});

describe('removeItems and ensureNamedFieldsAreMembers', () => {
  const obj = { spec: { replicas: 1, items: [{ name: 'x', value: '1' }, { name: 'y' }], env: { A: '1' }, args: ['a'] } };
  const set = (s: string): FieldSet => FieldSet.fromFieldsV1(JSON.parse(s));
  const cases: { name: string; remove: string; want: unknown }[] = [
    { name: 'a member field', remove: '{"f:spec":{"f:replicas":{}}}', want: { spec: { items: obj.spec.items, env: { A: '1' }, args: ['a'] } } },
    { name: 'a list item by key', remove: '{"f:spec":{"f:items":{"k:{\\"name\\":\\"x\\"}":{}}}}', want: { spec: { ...obj.spec, items: [{ name: 'y' }] } } },
    { name: 'an emptied map disappears', remove: '{"f:spec":{"f:env":{"f:A":{}}}}', want: { spec: { replicas: 1, items: obj.spec.items, args: ['a'] } } },
    { name: 'children of an item only trim the item', remove: '{"f:spec":{"f:items":{"k:{\\"name\\":\\"x\\"}":{"f:value":{}}}}}', want: { spec: { ...obj.spec, items: [{ name: 'x' }, { name: 'y' }] } } },
  ];
  for (const c of cases) it(`removeItems: ${c.name}`, () => assert.deepEqual(removeItems(obj, set(c.remove), schema), c.want));

  it('ensureNamedFieldsAreMembers adds struct fields on the way, not map keys or list items', () => {
    const s = set('{"f:spec":{"f:env":{"f:A":{}},"f:items":{"k:{\\"name\\":\\"x\\"}":{"f:value":{}}}}}');
    assert.equal(
      json(ensureNamedFieldsAreMembers(s, schema as Schema)),
      '{"f:spec":{".":{},"f:env":{".":{},"f:A":{}},"f:items":{".":{},"k:{\\"name\\":\\"x\\"}":{"f:value":{}}}}}',
    );
  });
});

describe('keys named like Object.prototype members', () => {
  const evil = JSON.parse('{"spec":{"env":{"constructor":"a","__proto__":"b","toString":"c"}}}') as unknown;
  it('merge keeps them as plain entries', () => {
    const merged = mergeObjects(evil, { spec: { env: { x: '1' } } }, schema);
    assert.equal(JSON.stringify(merged), '{"spec":{"env":{"constructor":"a","__proto__":"b","toString":"c","x":"1"}}}');
  });
  it('compare sees no change against an equal copy', () => {
    const got = compareObjects(evil, JSON.parse(JSON.stringify(evil)), schema);
    assert.ok(got.added.isEmpty() && got.modified.isEmpty() && got.removed.isEmpty());
  });
  it('compare sees a removal when the other side lacks them', () => {
    assert.equal(json(compareObjects(evil, { spec: { env: {} } }, schema).removed), '{"f:spec":{"f:env":{"f:__proto__":{},"f:constructor":{},"f:toString":{}}}}');
  });
  it('an undeclared "__proto__" field is rejected like any other', () => {
    assert.throws(() => fieldSetOf(JSON.parse('{"spec":{"__proto__":{}}}'), schema, true), { message: '.spec.__proto__: field not declared in schema' });
  });
});
