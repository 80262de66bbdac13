import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSimOptions, parseDuration, parseLabels, parseTaints, validateSimOptions } from './options.ts';

describe('parseDuration', () => {
  const cases = [
    { in: '5s', want: 5_000 }, { in: '250ms', want: 250 }, { in: '1m30s', want: 90_000 }, { in: '0', want: 0 }, { in: '0s', want: 0 },
    { in: '1.5s', want: 1_500 }, { in: '5', want: undefined }, { in: 's', want: undefined }, { in: '5x', want: undefined }, { in: '', want: undefined },
  ];
  for (const c of cases) it(JSON.stringify(c.in), () => assert.equal(parseDuration(c.in), c.want));
});

describe('parseTaints', () => {
  it('reads key=value:effect and key:effect', () => {
    assert.deepEqual(parseTaints('dedicated=gpu:NoSchedule, spot:PreferNoSchedule'), [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'spot', effect: 'PreferNoSchedule' }]);
  });
  it('rejects an unknown effect', () => assert.throws(() => parseTaints('a=b:Sometimes'), /taint "a=b:Sometimes"/));
});

describe('parseLabels', () => {
  it('reads k=v pairs', () => assert.deepEqual(parseLabels('a=1,b=,c=x=y'), { a: '1', b: '', c: 'x=y' }));
  it('rejects an item without =', () => assert.throws(() => parseLabels('a'), /label "a"/));
});

describe('validateSimOptions', () => {
  const cases = [
    { name: 'defaults', opts: {}, want: [] },
    { name: '5000 nodes fit under 10.42', opts: { nodes: 5000 }, want: [] },
    { name: 'too many nodes for the base', opts: { nodes: 60_000, podCidrBase: '10.250' }, want: [/has room for 1536 nodes/] },
    { name: 'bad memory', opts: { memory: 'lots' }, want: [/--memory lots is not a quantity/] },
    { name: 'fail more than nodes', opts: { nodes: 2, fail: 3 }, want: [/--fail must be between 0 and --nodes/] },
    { name: 'bad prefix', opts: { namePrefix: 'Sim_' }, want: [/--name-prefix/] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const errs = validateSimOptions({ ...defaultSimOptions, ...c.opts });
      assert.equal(errs.length, c.want.length, errs.join('; '));
      c.want.forEach((re, i) => assert.match(errs[i] ?? '', re));
    });
  }
});
