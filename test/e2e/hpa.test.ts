import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectlPath, runKubectl, startServer, type ServerProcess } from '../../src/testing/server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));
const kubectl = kubectlPath(32);

/** hpaManifest scales Deployment `name` between 2 and max on one metric, fast both ways (short windows, wide policies). */
const hpaManifest = (name: string, max: number, metric: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${name}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  minReplicas: 2
  maxReplicas: ${max}
  metrics: [${metric}]
  behavior:
    scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Percent, value: 900, periodSeconds: 1}]}
    scaleDown: {stabilizationWindowSeconds: 3, policies: [{type: Percent, value: 100, periodSeconds: 1}]}
`;

// The metrics pipeline and the HPA end to end: berth server scrapes berth sim's nodes every second,
// kubectl top shows the usage the pods' annotations feed, and an HPA scales a Deployment 2 -> 8 -> 2; another
// scales on a per-pod custom metric (a Pods metric) the pods' sim.berth.dev/custom-metrics annotation feeds.
describe('metrics.k8s.io and HorizontalPodAutoscaler with berth sim', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let sim: ChildProcess;
  let simExit: Promise<number | null>;
  let home: string;
  const k = (args: string[], input?: string) => runKubectl(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  before(async () => {
    server = await startServer(['--metric-resolution', '1s', '--horizontal-pod-autoscaler-sync-period', '1s', '--sim-custom-metrics']);
    home = mkdtempSync(join(tmpdir(), 'berth-hpa-home-'));
    sim = spawn(berth, ['sim', '--kubeconfig', server.kubeconfig, '--nodes', '2', '--stats-every', '0'], { stdio: 'ignore' });
    simExit = new Promise((resolve) => sim.once('exit', (code) => resolve(code)));
    await until('two nodes', async () => ((await ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').filter(Boolean).length === 2 ? true : undefined));
    await ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=60s']);
  });
  after(async () => {
    if (sim.exitCode === null) sim.kill('SIGTERM');
    await simExit;
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('kubectl top pod and node show the fed usage', async () => {
    await ok(['run', 'hot', '--image=nginx', '--annotations=sim.berth.dev/cpu-usage=400m', '--annotations=sim.berth.dev/memory-usage=100Mi', '--overrides={"spec":{"nodeName":"sim-1"}}']);
    const top = await until('pod metrics', async () => {
      const r = await k(['top', 'pod', 'hot', '--no-headers']);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.match(top, /^hot\s+400m\s+100Mi\s*$/);
    const versions = [27, 33].map(kubectlPath).filter((p): p is string => p !== null);
    for (const bin of versions) {
      const r = await runKubectl(bin, server.kubeconfig, home, ['top', 'pod', '-A', '--no-headers']);
      assert.match(r.stdout, /default\s+hot\s+400m\s+100Mi/, `${bin}: ${r.stderr}`);
    }
    // A node's usage is its base (50m, 256Mi) plus its pods'.
    const node = await ok(['top', 'node', 'sim-1', '--no-headers']);
    assert.match(node, /^sim-1\s+450m\s+\d+%\s+356Mi\s+\d+%/);
    assert.match(await ok(['get', 'podmetrics', 'hot']), /hot\s+400m\s+100Mi/);
    await ok(['delete', 'pod', 'hot', '--wait=false']);
  });

  it('an HPA with a 50% CPU target scales a Deployment 2 -> 8 when usage rises and back to 2 when it falls', async () => {
    const deployment = (usage: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata:
      labels: {app: shop}
      annotations: {sim.berth.dev/cpu-usage: "${usage}"}
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]
`;
    await ok(['apply', '-f', '-'], deployment('40m'));
    await ok(['rollout', 'status', 'deployment/shop', '--timeout=60s']);
    await ok(['apply', '-f', '-'], hpaManifest('shop', 8, '{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}'));
    const replicas = async () => Number(await ok(['get', 'deploy', 'shop', '-o', 'jsonpath={.spec.replicas}']));
    await until('the HPA to measure 40%', async () => ((await ok(['get', 'hpa', 'shop', '-o', 'jsonpath={.status.currentMetrics[0].resource.current.averageUtilization}'])) === '40' ? true : undefined));
    assert.equal(await replicas(), 2);

    // kubectl apply keeps spec.replicas as the HPA set it only when the manifest does not name it; patch the template instead.
    await ok(['patch', 'deployment', 'shop', '--type=merge', '-p', '{"spec":{"template":{"metadata":{"annotations":{"sim.berth.dev/cpu-usage":"400m"}}}}}']);
    await until('8 replicas', async () => ((await replicas()) === 8 ? true : undefined));
    const events = await ok(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.match(events, /New size: 8; reason: cpu resource utilization \(percentage of request\) above target/);
    await ok(['rollout', 'status', 'deployment/shop', '--timeout=60s']);

    await ok(['patch', 'deployment', 'shop', '--type=merge', '-p', '{"spec":{"template":{"metadata":{"annotations":{"sim.berth.dev/cpu-usage":"10m"}}}}}']);
    await until('2 replicas', async () => ((await replicas()) === 2 ? true : undefined));
    const hpa = JSON.parse(await ok(['get', 'hpa', 'shop', '-o', 'json'])) as { status: { conditions: { type: string; status: string }[] } };
    assert.deepEqual(hpa.status.conditions.map((c) => `${c.type}=${c.status}`).slice(0, 2), ['AbleToScale=True', 'ScalingActive=True']);
    assert.match(await ok(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale']), /New size: 2; reason: All metrics below target/);
  });

  it('an HPA with a Pods metric (requests per second per pod, AverageValue 10) scales 2 -> 6 -> 2 as the fed rate rises and falls', async () => {
    const rps = (v: number) => `{"spec":{"template":{"metadata":{"annotations":{"sim.berth.dev/custom-metrics":"requests_per_second=${v},request_duration_seconds=0.3"}}}}}`;
    await ok(['create', 'deployment', 'api', '--image=nginx', '--replicas=2']);
    await ok(['patch', 'deployment', 'api', '--type=merge', '-p', rps(5)]);
    await ok(['rollout', 'status', 'deployment/api', '--timeout=60s']);
    const raw = await until('pods/*/requests_per_second', async () => {
      const r = await k(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/requests_per_second?labelSelector=app%3Dapi']);
      const list = r.code === 0 ? (JSON.parse(r.stdout) as { items: { describedObject: { kind: string; name: string }; value: string }[] }) : undefined;
      return list && list.items.length === 2 ? list : undefined;
    });
    assert.deepEqual(raw.items.map((i) => [i.describedObject.kind, i.value]), [['Pod', '5'], ['Pod', '5']]);
    const discovery = JSON.parse(await ok(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta2'])) as { resources: { name: string }[] };
    assert.deepEqual(discovery.resources.map((r) => r.name).sort(), ['pods/request_duration_seconds', 'pods/requests_per_second']);

    await ok(['apply', '-f', '-'], hpaManifest('api', 6, '{type: Pods, pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "10"}}}'));
    const replicas = async () => Number(await ok(['get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas}']));
    await until('the HPA to measure 5 per pod', async () => ((await ok(['get', 'hpa', 'api', '-o', 'jsonpath={.status.currentMetrics[0].pods.current.averageValue}'])) === '5' ? true : undefined));
    assert.equal(await replicas(), 2);

    await ok(['patch', 'deployment', 'api', '--type=merge', '-p', rps(30)]);
    await until('6 replicas', async () => ((await replicas()) === 6 ? true : undefined));
    const events = await ok(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=api,reason=SuccessfulRescale', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}']);
    assert.match(events, /New size: 6; reason: pods metric requests_per_second above target/);
    await ok(['rollout', 'status', 'deployment/api', '--timeout=60s']);

    await ok(['patch', 'deployment', 'api', '--type=merge', '-p', rps(1)]);
    await until('2 replicas', async () => ((await replicas()) === 2 ? true : undefined));
    const hpa = JSON.parse(await ok(['get', 'hpa', 'api', '-o', 'json'])) as { status: { conditions: { type: string; status: string; reason: string }[] } };
    assert.deepEqual(hpa.status.conditions.find((c) => c.type === 'ScalingActive')?.reason, 'ValidMetricFound');
  });
});
