import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../clock.ts';
import { success } from './status.ts';
import { buildFramework, Framework, Registry } from './registry.ts';
import type { Plugin } from './interface.ts';

const plugin = (name: string, withScore = false): Plugin => ({ name, filter: () => success(), ...(withScore ? { score: () => 0 } : {}) });
const handle = { clock: systemClock };

describe('Registry', () => {
  it('refuses a duplicate name', () => {
    const r = new Registry().register('A', () => plugin('A'));
    assert.throws(() => r.register('A', () => plugin('A')), /a plugin named "A" already exists/);
  });

  const cases = [
    { name: 'an unknown plugin in a profile', profile: [{ name: 'B' }], error: /plugin "B" is not registered/ },
    { name: 'a plugin enabled twice', profile: [{ name: 'A' }, { name: 'A' }], error: /plugin "A" is enabled twice/ },
    { name: 'a factory returning a plugin with another name', profile: [{ name: 'Wrong' }], error: /factory for "Wrong" built a plugin named "A"/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      const r = new Registry().register('A', () => plugin('A')).register('Wrong', () => plugin('A'));
      assert.throws(() => buildFramework(r, c.profile, handle), c.error);
    });
  }

  it('sorts plugins by extension point and defaults score weights to 1', () => {
    const fw = new Framework([{ plugin: plugin('F') }, { plugin: plugin('S', true), weight: 0 }, { plugin: plugin('W', true), weight: 3 }]);
    assert.deepEqual(fw.filterPlugins.map((p) => p.name), ['F', 'S', 'W']);
    assert.deepEqual(fw.scorePlugins.map((w) => [w.plugin.name, w.weight]), [['S', 1], ['W', 3]]);
  });
});
