import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const kubectl = kubectlPath(32);

// Issue 6's acceptance through kubectl: berth server's controllers driving workloads on simulated nodes.
describe('controllers in berth server, on simulated nodes', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let sim: ChildProcess;
  let simExit: Promise<number | null>;
  let home: string;
  const k = (args: string[], input?: string) => runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-ctl-home-'));
    sim = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--nodes', '5', '--run-time', '2s', '--stats-every', '0'], { stdio: 'ignore' });
    simExit = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
    await until('five Ready nodes', async () => {
      const r = await k(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}']);
      return r.code === 0 && r.stdout.trim().split(' ').filter((s) => s === 'True').length === 5 ? true : undefined;
    }, 60_000);
    // The CronJob fires on the minute; start it first so its wait overlaps the other tests.
    await ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *', '--', 'true']);
  });
  after(async () => {
    if (sim.exitCode === null) sim.kill('SIGTERM');
    await simExit;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('rolls a 50-replica Deployment through three images and undoes to revision 1', async () => {
    await ok(['create', 'deployment', 'web', '--image=web:1', '--replicas=50']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    for (const image of ['web:2', 'web:3', 'web:4']) {
      await ok(['set', 'image', 'deployment/web', `web=${image}`]);
      await ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    }
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.deepEqual([...history.matchAll(/^(\d+)\s/gm)].map((m) => m[1]), ['1', '2', '3', '4']);
    await ok(['rollout', 'undo', 'deployment/web', '--to-revision=1']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.status.availableReplicas} {.status.updatedReplicas}']), 'web:1 50 50');
    const images = await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}']);
    assert.deepEqual(new Set(images.trim().split('\n')), new Set(['web:1']));
    // Revision 1 came back as revision 5; the ReplicaSets of revisions 2-4 stay, scaled to zero.
    assert.match(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}']), /^5$/);
    assert.equal((await ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().split('\n').length, 4);
  });

  it('deleting the Deployment removes its ReplicaSets and pods', async () => {
    await ok(['delete', 'deployment', 'web', '--wait', '--timeout=120s']);
    await until('no web ReplicaSets or pods', async () => {
      const out = await ok(['get', 'rs,pods', '-l', 'app=web', '-o', 'name']);
      return out.trim() === '' ? true : undefined;
    });
  });

  it('runs a Job of 10 completions, 3 at a time, through pod failures', async () => {
    const job = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'work' },
      spec: {
        completions: 10, parallelism: 3, backoffLimit: 30,
        template: {
          // The sim fails about a quarter of the pods (chosen by uid) with exit code 1.
          metadata: { annotations: { 'sim.berth.dev/failure-rate': '0.25', 'sim.berth.dev/run-time': '1s' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox', command: ['true'] }] },
        },
      },
    };
    await ok(['apply', '-f', '-'], JSON.stringify(job));
    // Never more than 3 at once.
    let maxActive = 0;
    await until('the Job to complete', async () => {
      const out = await ok(['get', 'job', 'work', '-o', 'jsonpath={.status.active} {.status.succeeded} {.status.conditions[?(@.type=="Complete")].status}']);
      const [active, , complete] = out.split(' ');
      maxActive = Math.max(maxActive, Number(active || 0));
      return complete === 'True' ? out : undefined;
    }, 240_000);
    assert.ok(maxActive <= 3, `at most 3 pods ran at once (saw ${maxActive})`);
    const status = JSON.parse(await ok(['get', 'job', 'work', '-o', 'jsonpath={.status}'])) as { succeeded?: number; failed?: number };
    assert.equal(status.succeeded, 10);
    const pods = await ok(['get', 'pods', '-l', 'job-name=work', '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}']);
    const phases = pods.trim().split('\n');
    assert.equal(phases.filter((p) => p === 'Succeeded').length, 10);
    assert.equal(phases.filter((p) => p === 'Failed').length, status.failed ?? 0);
  });

  it('a CronJob scheduled every minute creates a Job that completes', async () => {
    const name = await until('a Job from the CronJob', async () => {
      const out = await ok(['get', 'jobs', '-o', 'jsonpath={range .items[?(@.metadata.ownerReferences[0].name=="tick")]}{.metadata.name}{"\\n"}{end}']);
      return out.trim().split('\n').filter(Boolean)[0];
    }, 130_000);
    assert.match(name, /^tick-\d+$/);
    await ok(['wait', '--for=condition=Complete', `job/${name}`, '--timeout=60s']);
    assert.match(await ok(['get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    assert.match(await ok(['get', 'events', '--field-selector', 'involvedObject.name=tick']), /SuccessfulCreate\s+cronjob\/tick\s+Created job tick-\d+/);
  });
});
