import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.ts';
import { escapeFieldValue, fieldSelectorFromSet, parseFieldSelector } from './fields.ts';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError && err.code === 400, `expected a 400 ApiError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected an error');
}

describe('parseFieldSelector: valid input', () => {
  const cases = [
    { input: '', want: '', terms: [] },
    { input: 'a=b', want: 'a=b', terms: [{ field: 'a', operator: '=', value: 'b' }] },
    { input: 'a==b', want: 'a=b', terms: [{ field: 'a', operator: '=', value: 'b' }] },
    { input: 'a!=b', want: 'a!=b', terms: [{ field: 'a', operator: '!=', value: 'b' }] },
    { input: 'z=1,a=2', want: 'a=2,z=1', terms: [{ field: 'a', operator: '=', value: '2' }, { field: 'z', operator: '=', value: '1' }] },
    { input: 'a=', want: 'a=', terms: [{ field: 'a', operator: '=', value: '' }] },
    { input: 'a=b,,c=d', want: 'a=b,c=d', terms: [{ field: 'a', operator: '=', value: 'b' }, { field: 'c', operator: '=', value: 'd' }] },
    { input: 'a=x\\,y\\=z\\\\', want: 'a=x\\,y\\=z\\\\', terms: [{ field: 'a', operator: '=', value: 'x,y=z\\' }] },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.input), () => {
      const s = parseFieldSelector(c.input);
      assert.equal(s.toString(), c.want);
      assert.deepEqual(s.terms, c.terms);
    });
  }
});

describe('parseFieldSelector: invalid input', () => {
  const cases = [
    { input: 'a', want: "invalid selector: 'a'; can't understand 'a'" },
    { input: 'a=b,c', want: "invalid selector: 'a=b,c'; can't understand 'c'" },
    { input: 'a=b=c', want: 'invalid field selector: unescaped character in value: 61' },
    { input: 'a=b\\x', want: 'invalid field selector: invalid escape sequence: \\x' },
    { input: 'a=b\\', want: 'invalid field selector: invalid escape sequence: \\' },
    { input: 'a!==b', want: 'invalid field selector: unescaped character in value: 61' },
  ];
  for (const c of cases) it(JSON.stringify(c.input), () => assert.equal(messageOf(() => parseFieldSelector(c.input)), c.want));
});

describe('FieldSelector.matches', () => {
  const cases: { selector: string; fields: Record<string, string>; want: boolean }[] = [
    { selector: 'a=b', fields: { a: 'b' }, want: true },
    { selector: 'a=b', fields: { a: 'c' }, want: false },
    { selector: 'a=', fields: {}, want: true },
    { selector: 'a!=b', fields: {}, want: true },
    { selector: 'a!=b', fields: { a: 'b' }, want: false },
    { selector: 'a=b,c!=d', fields: { a: 'b', c: 'e' }, want: true },
    { selector: 'a=b,c!=d', fields: { a: 'b', c: 'd' }, want: false },
    { selector: 'a=x\\,y', fields: { a: 'x,y' }, want: true },
    { selector: 'constructor=', fields: {}, want: true },
    { selector: '', fields: { a: 'b' }, want: true },
  ];
  for (const c of cases) it(`${c.selector} vs ${JSON.stringify(c.fields)}`, () => assert.equal(parseFieldSelector(c.selector).matches(c.fields), c.want));
});

describe('field selector helpers', () => {
  const cases = [
    { name: 'escape', got: () => escapeFieldValue('a\\b,c=d'), want: 'a\\\\b\\,c\\=d' },
    { name: 'fromSet', got: () => fieldSelectorFromSet({ 'metadata.name': 'x,y' }).toString(), want: 'metadata.name=x\\,y' },
    { name: 'requiresExactMatch =', got: () => parseFieldSelector('spec.nodeName=n1,status.phase!=Failed').requiresExactMatch('spec.nodeName'), want: 'n1' },
    { name: 'requiresExactMatch !=', got: () => parseFieldSelector('status.phase!=Failed').requiresExactMatch('status.phase'), want: undefined },
    { name: 'transform', got: () => parseFieldSelector('spec.host=n1').transform((f, v) => ({ field: f.replace('host', 'nodeName'), value: v })).toString(), want: 'spec.nodeName=n1' },
    { name: 'empty is everything', got: () => parseFieldSelector('').isEverything(), want: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(c.got(), c.want));
});
