import { isApiError } from '../api/errors.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ApiObject } from '../api/object.ts';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { ControlPlane } from '../server/control-plane.ts';
import { Client } from './client.ts';
import { LeaderElector, formatMicroTime, type LeaderElectionOptions } from './leader-election.ts';
import { httpsTransport } from './transport.ts';

// Short periods keep the test quick; the relations between them are upstream's.
const fast = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };

async function waitFor(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('LeaderElector against a control plane', () => {
  let cp: ControlPlane;
  let dir: string;
  let client: Client;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-le-'));
    cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable: ['controllers'], log: () => {} });
    await cp.start();
    const kc = await readKubeconfig(cp.kubeconfigPath);
    client = new Client(httpsTransport({ server: kc.server, ...(kc.caPem ? { ca: kc.caPem } : {}), ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}), ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}) }));
  });
  after(async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** candidate starts an elector and records what happens to it. */
  function candidate(name: string, identity: string, opts: Partial<LeaderElectionOptions> = {}) {
    const state = { leading: false, started: 0, stopped: 0, leaders: [] as string[], workSignal: null as AbortSignal | null };
    const stop = new AbortController();
    const elector = new LeaderElector({
      client, namespace: 'default', name, identity, ...fast,
      onStartedLeading: (signal) => {
        state.leading = true;
        state.started++;
        state.workSignal = signal;
        signal.addEventListener('abort', () => (state.leading = false));
      },
      onStoppedLeading: () => state.stopped++,
      onNewLeader: (id) => state.leaders.push(id),
      ...opts,
    });
    const done = elector.run(stop.signal);
    return { elector, state, stop, done };
  }

  async function lease(name: string): Promise<Lease> {
    return (await client.resource('coordination.k8s.io/v1', 'leases').get('default', name)) as unknown as Lease;
  }

  it('elects exactly one leader, and the other takes over when it stops', async () => {
    const a = candidate('election', 'a');
    const b = candidate('election', 'b');
    await waitFor('a leader', () => a.state.leading || b.state.leading);
    // Let both run several retry periods: the follower must not take the lease meanwhile.
    await waitFor('both to see the leader', () => a.state.leaders.length > 0 && b.state.leaders.length > 0);
    await new Promise((r) => setTimeout(r, 600));
    const [leader, follower] = a.state.leading ? [a, b] : [b, a];
    assert.equal(leader.state.started, 1);
    assert.equal(follower.state.started, 0);
    assert.equal(leader.elector.isLeader(), true);
    assert.equal(follower.elector.isLeader(), false);
    const first = await lease('election');
    assert.equal(first.spec?.holderIdentity, leader.elector.getLeader());
    assert.equal(first.spec?.leaseDurationSeconds, 2);
    assert.match(first.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    leader.stop.abort();
    await leader.done;
    assert.equal(leader.state.stopped, 1);
    assert.equal(leader.state.workSignal?.aborted, true);
    await waitFor('the follower to lead', () => follower.state.leading);
    const second = await lease('election');
    assert.equal(second.spec?.holderIdentity, follower.elector.getLeader());
    assert.equal(second.spec?.leaseTransitions, (first.spec?.leaseTransitions ?? 0) + 1);
    follower.stop.abort();
    await follower.done;
    assert.equal((await lease('election')).spec?.holderIdentity, '');
  });

  it('takes over from a leader that vanished without releasing, once the lease expires', async () => {
    const a = candidate('crash', 'a', { releaseOnCancel: false });
    await waitFor('a to lead', () => a.state.leading);
    a.stop.abort();
    await a.done;
    assert.equal((await lease('crash')).spec?.holderIdentity, 'a');
    const b = candidate('crash', 'b');
    await waitFor('b to lead', () => b.state.leading);
    assert.equal((await lease('crash')).spec?.holderIdentity, 'b');
    b.stop.abort();
    await b.done;
  });

  it('stops leading when another holder took the lease', async () => {
    const a = candidate('stolen', 'a');
    await waitFor('a to lead', () => a.state.leading);
    const leases = client.resource('coordination.k8s.io/v1', 'leases');
    // The leader renews concurrently, so the steal may lose a race (409) and is retried, as any writer would.
    for (;;) {
      const cur = await leases.get('default', 'stolen');
      const now = formatMicroTime(Date.now());
      try {
        await leases.update({ ...cur, spec: { ...(cur.spec as object), holderIdentity: 'intruder', leaseDurationSeconds: 60, renewTime: now, acquireTime: now } } as ApiObject);
        break;
      } catch (err) {
        if (!isApiError(err, 'Conflict')) throw err;
      }
    }
    await a.done;
    assert.equal(a.state.leading, false);
    assert.equal(a.state.stopped, 1);
    assert.equal((await lease('stolen')).spec?.holderIdentity, 'intruder');
  });

  it('rejects inconsistent durations', () => {
    const base = { client, namespace: 'default', name: 'x', identity: 'i', onStartedLeading: () => {}, onStoppedLeading: () => {} };
    const cases = [
      { name: 'lease shorter than renew deadline', opts: { leaseDurationMs: 5_000, renewDeadlineMs: 5_000 }, want: /leaseDuration must be greater than renewDeadline/ },
      { name: 'renew deadline within jittered retry', opts: { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }, want: /renewDeadline must be greater than retryPeriod\*JitterFactor/ },
      { name: 'empty identity', opts: { identity: '' }, want: /identity is empty/ },
    ];
    for (const c of cases) assert.throws(() => new LeaderElector({ ...base, ...c.opts }), c.want, c.name);
  });
});
