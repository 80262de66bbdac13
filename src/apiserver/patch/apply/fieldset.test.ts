import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet } from './fieldset.ts';
import { fieldElement, indexElement, keyElement, parsePathElement, pathString, valueElement, type PathElement } from './pathelement.ts';

const f = fieldElement;

// Upstream fixtures, byte for byte: SMD's fieldpath/serialize_test.go golden data, and managedFields a
// Kubernetes 1.32 API server returned for `kubectl apply --server-side --field-manager jun` of a Deployment,
// for `kubectl create` of the same Deployment, and for a Pod under kubectl-run.
const roundTrips = [
  {
    name: 'SMD golden: every element kind in upstream order',
    json: String.raw`{"f:aaa":{},"f:aab":{},"f:aac":{},"f:aad":{},"f:aae":{},"f:aaf":{},"k:{\"name\":\"first\"}":{},"k:{\"name\":\"second\"}":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{},"v:2":{},"v:3":{},"v:\"aa\"":{},"v:\"ab\"":{},"v:true":{},"i:1":{},"i:2":{},"i:3":{},"i:4":{}}`,
  },
  {
    name: 'SMD golden: nested children',
    json: String.raw`{"f:aaa":{"k:{\"name\":\"second\"}":{"v:3":{"f:aab":{}}},"v:3":{},"v:true":{}},"f:aab":{"f:aaa":{},"f:aaf":{"k:{\"port\":443,\"protocol\":\"udp\"}":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"k:{\"name\":\"first\"}":{}},"f:aac":{"f:aaa":{"v:1":{}},"f:aac":{},"v:3":{"k:{\"name\":\"second\"}":{}}},"f:aad":{"f:aac":{"v:1":{}},"f:aaf":{"k:{\"name\":\"first\"}":{"k:{\"name\":\"first\"}":{}}},"i:1":{"i:1":{},"i:3":{"v:true":{}}}},"f:aae":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:4":{"f:aaf":{}}},"f:aaf":{"i:1":{"f:aac":{}},"i:2":{},"i:3":{}},"k:{\"name\":\"first\"}":{"f:aad":{"f:aaf":{}}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"f:aaa":{"f:aad":{}}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"f:aac":{},"k:{\"name\":\"first\"}":{"i:3":{}},"k:{\"port\":443,\"protocol\":\"udp\"}":{"i:4":{}}},"v:1":{"f:aac":{"i:4":{}},"f:aaf":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{}},"v:2":{"f:aad":{"f:aaf":{}},"i:1":{}},"v:3":{"f:aaa":{},"k:{\"name\":\"first\"}":{},"i:2":{}},"v:\"aa\"":{"f:aab":{"f:aaf":{}},"f:aae":{},"k:{\"name\":\"first\"}":{"f:aad":{}},"i:2":{}},"v:\"ab\"":{"f:aaf":{"i:4":{}},"k:{\"port\":443,\"protocol\":\"tcp\"}":{},"k:{\"port\":443,\"protocol\":\"udp\"}":{},"v:1":{"k:{\"port\":443,\"protocol\":\"udp\"}":{}},"i:1":{"f:aae":{"i:4":{}}}},"v:true":{"k:{\"name\":\"second\"}":{"f:aaa":{}},"i:2":{"k:{\"port\":443,\"protocol\":\"tcp\"}":{}}},"i:1":{"i:3":{"f:aaf":{}}},"i:2":{"f:aae":{},"k:{\"port\":443,\"protocol\":\"tcp\"}":{"v:1":{}}},"i:3":{"f:aab":{"v:true":{"v:\"aa\"":{}}},"f:aaf":{},"i:1":{}},"i:4":{"v:\"aa\"":{"f:aab":{"k:{\"name\":\"second\"}":{}}}}}`,
  },
  {
    name: 'Deployment applied by kubectl apply --server-side (field manager jun)',
    json: String.raw`{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:creationTimestamp":{},"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}`,
  },
  {
    name: 'Deployment created by kubectl create',
    json: String.raw`{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}`,
  },
  {
    name: 'StatefulSet ports keyed by containerPort and protocol',
    json: String.raw`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"iab\"}":{".":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}}}}}}}}`,
  },
];

describe('FieldSet fieldsV1 round trip', () => {
  for (const c of roundTrips) {
    it(c.name, () => assert.equal(JSON.stringify(FieldSet.fromFieldsV1(JSON.parse(c.json)).toFieldsV1()), c.json));
  }
});

describe('FieldSet.fromFieldsV1', () => {
  const cases: { name: string; json: unknown; want: string[] | Error }[] = [
    { name: 'empty object is the empty set', json: {}, want: [] },
    { name: 'a key mapping to {} is a member', json: { 'f:a': {} }, want: ['.a'] },
    { name: '"." makes a node a member besides its children', json: { 'f:a': { '.': {}, 'f:b': {} } }, want: ['.a', '.a.b'] },
    { name: 'a node without "." is not a member', json: { 'f:a': { 'f:b': {} } }, want: ['.a.b'] },
    { name: 'unknown element kinds are dropped', json: { 'f:aaa': {}, 'r:aab': {} }, want: ['.aaa'] },
    { name: 'keys are re-sorted by name', json: { 'k:{"protocol":"TCP","containerPort":80}': {} }, want: ['[containerPort=80,protocol="TCP"]'] },
    { name: 'a key without a colon is an error', json: { fa: {} }, want: new Error('invalid path element') },
    { name: 'a non-object is an error', json: { 'f:a': 1 }, want: new Error('expected a JSON object') },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.want instanceof Error) {
        const message = c.want.message;
        assert.throws(() => FieldSet.fromFieldsV1(c.json), (e: Error) => e.message.includes(message));
      } else {
        assert.deepEqual(FieldSet.fromFieldsV1(c.json).paths().map(pathString), c.want);
      }
    });
  }
});

const set = (json: string): FieldSet => FieldSet.fromFieldsV1(JSON.parse(json));

describe('FieldSet operations', () => {
  const a = set('{"f:a":{".":{},"f:b":{},"f:c":{}},"f:d":{}}');
  const b = set('{"f:a":{"f:c":{},"f:e":{}},"f:f":{}}');
  const parent = set('{"f:a":{}}');
  const cases = [
    { name: 'union', got: () => a.union(b), want: '{"f:a":{".":{},"f:b":{},"f:c":{},"f:e":{}},"f:d":{},"f:f":{}}' },
    { name: 'intersection', got: () => a.intersection(b), want: '{"f:a":{"f:c":{}}}' },
    { name: 'difference', got: () => a.difference(b), want: '{"f:a":{".":{},"f:b":{}},"f:d":{}}' },
    { name: 'difference keeps children of a removed parent', got: () => a.difference(parent), want: '{"f:a":{"f:b":{},"f:c":{}},"f:d":{}}' },
    { name: 'recursiveDifference drops children of a removed parent', got: () => a.recursiveDifference(parent), want: '{"f:d":{}}' },
    { name: 'leaves drops nodes that have members beneath', got: () => a.leaves(), want: '{"f:a":{"f:b":{},"f:c":{}},"f:d":{}}' },
    { name: 'withPrefix', got: () => a.withPrefix(f('a')), want: '{"f:b":{},"f:c":{}}' },
    { name: 'difference with itself is empty', got: () => a.difference(a), want: '{}' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(JSON.stringify(c.got().toFieldsV1()), c.want));

  it('operations leave their inputs unchanged', () => {
    const before = JSON.stringify(a.toFieldsV1());
    a.union(b).insert([f('x')]);
    a.difference(b).insert([f('a'), f('y')]);
    // These results share a's subtrees: inserting beneath them must copy, not change a.
    a.union(new FieldSet()).insert([f('a'), f('z')]);
    a.clone().insert([f('a'), f('b'), f('deep')]);
    a.difference(new FieldSet()).insert([f('a'), f('w')]);
    a.recursiveDifference(b).insert([f('d'), f('v')]);
    assert.equal(JSON.stringify(a.toFieldsV1()), before);
  });

  it('a node shared by two sets refuses a direct insert', () => {
    const shared = a.clone().children.get('f:a')?.set;
    assert.throws(() => shared?.insert([f('q')]), /shared/);
  });

  const hasCases: { path: PathElement[]; want: boolean }[] = [
    { path: [f('a')], want: true },
    { path: [f('a'), f('b')], want: true },
    { path: [f('d'), f('x')], want: false },
    { path: [], want: false },
  ];
  for (const c of hasCases) it(`has ${pathString(c.path) || '(root)'} is ${c.want}`, () => assert.equal(a.has(c.path), c.want));

  it('size counts members at every depth', () => assert.equal(a.size, 4));
  it('equals ignores construction order', () => assert.ok(a.union(b).equals(b.union(a))));
});

describe('path elements', () => {
  const cases = [
    { name: 'field', pe: f('image'), id: 'f:image', str: '.image' },
    { name: 'key sorted by name', pe: keyElement([['protocol', 'TCP'], ['containerPort', 80]]), id: 'k:{"containerPort":80,"protocol":"TCP"}', str: '[containerPort=80,protocol="TCP"]' },
    { name: 'value', pe: valueElement('example.com/foo'), id: 'v:"example.com/foo"', str: '[="example.com/foo"]' },
    { name: 'index', pe: indexElement(3), id: 'i:3', str: '[3]' },
    { name: 'HTML characters escaped as Go does', pe: valueElement('a<b'), id: 'v:"a\\u003cb"', str: '[="a<b"]' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(c.pe.id, c.id);
      assert.equal(pathString([c.pe]), c.str);
      assert.deepEqual(parsePathElement(c.id), c.pe);
    });
  }
  it('a conflict path reads as upstream prints it', () => {
    const path = [f('spec'), f('template'), f('spec'), f('containers'), keyElement([['name', 'nginx']]), f('image')];
    assert.equal(pathString(path), '.spec.template.spec.containers[name="nginx"].image');
  });
});
