import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlPath, runKubectl, startServer, type KubectlResult, type ServerProcess } from '../../src/testing/server-process.ts';

const kubectl132 = kubectlPath(32);

// Admission as a user meets it: kubectl create quota, describe, refused kubectl runs (quota, missing service account),
// and a service account's image pull secrets.
describe('quota and limit ranges with kubectl 1.32', { skip: kubectl132 ? false : 'kubectl.1.32 is not installed beside the kubectl dispatcher' }, () => {
  let server: ServerProcess;
  let home: string;
  const k = (args: string[], input?: string): Promise<KubectlResult> => runKubectl(kubectl132 as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  /** describeUntil polls `kubectl describe quota` until it matches (the controller fills status in asynchronously). */
  const describeUntil = async (re: RegExp): Promise<string> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const out = await ok(['describe', 'quota', 'compute', '-n', 'team']);
      if (re.test(out)) return out;
      if (Date.now() > deadline) assert.fail(`kubectl describe quota never matched ${String(re)}:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-home-'));
  });
  after(async () => {
    const code = await server.stop();
    rmSync(home, { recursive: true, force: true });
    assert.equal(code, 0, 'berth server exits cleanly on SIGTERM');
  });

  it('create quota, describe shows Used and Hard, kubectl run is refused with upstream messages, deletes give quota back', async () => {
    await ok(['create', 'namespace', 'team']);
    assert.match(await ok(['create', 'quota', 'compute', '--hard=pods=2,requests.cpu=1', '-n', 'team']), /resourcequota\/compute created/);
    await describeUntil(/Resource\s+Used\s+Hard\n-+\s+-+\s+-+\npods\s+0\s+2\nrequests\.cpu\s+0\s+1\n/);

    const noRequest = await k(['run', 'plain', '--image=nginx', '-n', 'team']);
    assert.notEqual(noRequest.code, 0);
    assert.match(noRequest.stderr, /Error from server \(Forbidden\): pods "plain" is forbidden: failed quota: compute: must specify requests\.cpu for: plain/);

    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'cpu', namespace: 'team' }, spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '600m' }, default: { cpu: '600m' } }] } }));
    await ok(['run', 'a', '--image=nginx', '-n', 'team']);
    assert.equal(await ok(['get', 'pod', 'a', '-n', 'team', '-o', 'jsonpath={.spec.containers[0].resources.requests.cpu}']), '600m');
    assert.match(await ok(['get', 'pod', 'a', '-n', 'team', '-o', 'jsonpath={.metadata.annotations}']), /LimitRanger plugin set: cpu request for container a; cpu limit for container a/);

    const over = await k(['run', 'b', '--image=nginx', '-n', 'team']);
    assert.notEqual(over.code, 0);
    assert.match(over.stderr, /Error from server \(Forbidden\): pods "b" is forbidden: exceeded quota: compute, requested: requests\.cpu=600m, used: requests\.cpu=600m, limited: requests\.cpu=1/);
    await describeUntil(/pods\s+1\s+2\nrequests\.cpu\s+600m\s+1\n/);

    await ok(['delete', 'pod', 'a', '-n', 'team', '--wait=false']);
    await describeUntil(/pods\s+0\s+2\nrequests\.cpu\s+0\s+1\n/);
    await ok(['run', 'b', '--image=nginx', '-n', 'team']);
  });

  it('a pod naming a missing service account is refused; one naming an existing account gets its image pull secrets', async () => {
    const overrides = JSON.stringify({ spec: { serviceAccountName: 'robot' } });
    const missing = await k(['run', 'sa-pod', '--image=nginx', '--overrides', overrides]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /Error from server \(Forbidden\): pods "sa-pod" is forbidden: error looking up service account default\/robot: serviceaccount "robot" not found/);

    await ok(['create', 'serviceaccount', 'robot']);
    await ok(['patch', 'serviceaccount', 'robot', '-p', JSON.stringify({ imagePullSecrets: [{ name: 'regcred' }] })]);
    await ok(['run', 'sa-pod', '--image=nginx', '--overrides', overrides]);
    assert.equal(await ok(['get', 'pod', 'sa-pod', '-o', 'jsonpath={.spec.serviceAccountName} {.spec.imagePullSecrets[*].name}']), 'robot regcred');
  });
});
