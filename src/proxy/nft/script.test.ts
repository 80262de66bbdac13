import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRuleset, RulesetBuilder, type Ruleset } from './ruleset.ts';
import { renderDelta, renderFull } from './script.ts';

function table(build: (b: RulesetBuilder) => void): Ruleset {
  const b = new RulesetBuilder(newRuleset('t'));
  b.chain('pre', { type: 'nat', hook: 'prerouting', priority: -100 });
  b.set({ name: 'svc', map: true, type: 'ipv4_addr : verdict' });
  b.rule('pre', 'ip daddr vmap @svc');
  build(b);
  return b.rs;
}

const one = table((b) => {
  b.rule('a', 'dnat to 10.0.0.1');
  b.element('svc', '10.43.0.1', 'goto a');
});

describe('renderFull', () => {
  it('replaces the table in one transaction: chains, then sets, rules and elements', () => {
    assert.equal(renderFull(one), [
      'add table ip t',
      'delete table ip t',
      'add table ip t',
      'add chain ip t pre { type nat hook prerouting priority -100; policy accept; }',
      'add chain ip t a',
      'add map ip t svc { type ipv4_addr : verdict; }',
      'add rule ip t pre ip daddr vmap @svc',
      'add rule ip t a dnat to 10.0.0.1',
      'add element ip t svc { 10.43.0.1 : goto a }',
      '',
    ].join('\n'));
  });
});

describe('renderDelta', () => {
  const cases: { name: string; next: Ruleset; want: string[] }[] = [
    { name: 'nothing changed', next: one, want: [] },
    {
      name: 'a changed chain is flushed and refilled',
      next: table((b) => {
        b.rule('a', 'dnat to 10.0.0.2');
        b.element('svc', '10.43.0.1', 'goto a');
      }),
      want: ['flush chain ip t a', 'add rule ip t a dnat to 10.0.0.2'],
    },
    {
      name: 'a new chain is created before anything points at it; a changed element is replaced',
      next: table((b) => {
        b.rule('a', 'dnat to 10.0.0.1');
        b.rule('b', 'dnat to 10.0.0.9');
        b.element('svc', '10.43.0.1', 'goto b');
      }),
      want: ['add chain ip t b', 'delete element ip t svc { 10.43.0.1 }', 'add rule ip t b dnat to 10.0.0.9', 'add element ip t svc { 10.43.0.1 : goto b }'],
    },
    {
      name: 'a chain nothing needs is deleted after its references are gone',
      next: table(() => {}),
      want: ['delete element ip t svc { 10.43.0.1 }', 'flush chain ip t a', 'delete chain ip t a'],
    },
    {
      name: 'dynamic sets are created and deleted but their elements are left to the kernel',
      next: table((b) => {
        b.rule('a', 'dnat to 10.0.0.1');
        b.element('svc', '10.43.0.1', 'goto a');
        b.set({ name: 'aff', map: false, type: 'ipv4_addr', flags: ['dynamic', 'timeout'], timeoutSeconds: 30, dynamic: true });
      }),
      want: ['add set ip t aff { type ipv4_addr; flags dynamic,timeout; timeout 30s; }'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(renderDelta(one, c.next), c.want.length ? c.want.join('\n') + '\n' : ''));

  it('removes a dynamic set that is no longer needed', () => {
    const withSet = table((b) => b.set({ name: 'aff', map: false, type: 'ipv4_addr', dynamic: true }));
    assert.equal(renderDelta(withSet, table(() => {})), 'delete set ip t aff\n');
  });

  it('refuses to alter a set definition in place (the caller falls back to a full sync)', () => {
    const a = table((b) => b.set({ name: 's', map: false, type: 'ipv4_addr' }));
    const b2 = table((b) => b.set({ name: 's', map: false, type: 'ipv4_addr', flags: ['interval'] }));
    assert.throws(() => renderDelta(a, b2), /full sync/);
  });
});
