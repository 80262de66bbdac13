import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from './args.ts';
import { proxyHealthzFrom } from './proxy-flags.ts';

describe('--proxy-healthz-bind-address', () => {
  const cases: { value: string | undefined; want: { host: string; port: number } | undefined | 'error' }[] = [
    { value: '0.0.0.0:10256', want: { host: '0.0.0.0', port: 10256 } },
    { value: '127.0.0.1:0', want: { host: '127.0.0.1', port: 0 } },
    { value: '[::]:10256', want: { host: '::', port: 10256 } },
    { value: '', want: undefined },
    { value: undefined, want: undefined },
    { value: '10256', want: 'error' },
    { value: 'localhost:10256', want: 'error' },
    { value: '0.0.0.0:70000', want: 'error' },
    { value: '0.0.0.0:', want: 'error' },
  ];
  for (const c of cases) {
    it(`reads ${JSON.stringify(c.value)}`, () => {
      const v = c.value === undefined ? {} : { 'proxy-healthz-bind-address': c.value };
      if (c.want === 'error') assert.throws(() => proxyHealthzFrom(v), UsageError);
      else assert.deepEqual(proxyHealthzFrom(v), c.want);
    });
  }
});
