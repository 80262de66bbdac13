import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentOptionsFrom } from './agent-flags.ts';
import { UsageError } from './args.ts';

describe('agentOptionsFrom: --flannel-backend', () => {
  const cases: { flag: string | undefined; want: string | undefined }[] = [
    { flag: undefined, want: undefined },
    { flag: 'host-gw', want: 'host-gw' },
    { flag: 'vxlan', want: 'vxlan' },
  ];
  for (const c of cases) it(String(c.flag), () => assert.equal(agentOptionsFrom({ 'node-name': 'n', 'flannel-backend': c.flag }).flannelBackend, c.want));
  it('refuses a backend Berth does not have', () => {
    assert.throws(() => agentOptionsFrom({ 'node-name': 'n', 'flannel-backend': 'wireguard-native' }), (err: unknown) => err instanceof UsageError && /host-gw, vxlan, not wireguard-native/.test(err.message));
  });
});
