import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { netnsAvailable, startNetnsLab, type NetnsLab } from '../../testing/netns.ts';

// resetNode's network part on a real kernel, inside a scratch node netns (src/testing/netns.ts): a node that ran the
// vxlan backend and stopped uncleanly left its tunnel and routes, and `berth reset` takes them away. The reset
// runs in a child process in that netns, with an empty data directory and names no real node uses.

const resetScript = `
const [module, dataDir] = process.argv.slice(1);
import(module)
  .then((m) => m.resetNode({ dataDir, bridge: 'br0', networkName: 'berth-reset-netns-test', cgroupRoot: 'berth-reset-netns-test', purge: false, log: () => {} }))
  .then((left) => console.log(JSON.stringify(left)), (err) => { console.error(err); process.exit(1); });
`;

describe('resetNode on a real kernel', { skip: netnsAvailable() ? false : 'needs root for network namespaces' }, () => {
  let lab: NetnsLab;
  let dataDir: string;

  before(async () => {
    lab = await startNetnsLab();
    dataDir = mkdtempSync(join(tmpdir(), 'berth-reset-'));
  });
  after(async () => {
    await lab?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('removes the vxlan tunnel and the pod routes through it', async () => {
    const setup = [
      'link add flannel.1 type vxlan id 1 local 192.168.77.1 dev eth0 dstport 8472 nolearning',
      'link set flannel.1 up',
      'addr add 10.42.0.0/32 dev flannel.1',
      'route replace 10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink proto 191',
    ].join('\n');
    await lab.runner.run('ip', ['-batch', '-'], `${setup}\n`);
    const child = lab.spawnIn(lab.node, resetScript, [new URL('./reset.ts', import.meta.url).href, dataDir]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), []);
    await assert.rejects(lab.runner.run('ip', ['link', 'show', 'dev', 'flannel.1']), /does not exist/);
    await assert.rejects(lab.runner.run('ip', ['link', 'show', 'dev', 'br0']), /does not exist/);
    assert.equal((await lab.runner.run('ip', ['-4', 'route', 'show', 'proto', '191'])).trim(), '');
  });
});
