import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { formatTime } from '../../api/time.ts';
import type { CustomMetricsSource } from '../../metrics/custom/source.ts';
import type { PodUsage } from '../../metrics/storage.ts';
import { FakeClock, startHarness, waitFor, type ControllerHarness } from '../../testing/controller-harness.ts';
import { HorizontalPodAutoscalerController } from './controller.ts';

// reconcile against a real control plane whose metrics.k8s.io answers from `usage` below, with the
// controller on a fake clock (the sync period is long, so only the test's reconcile calls run).
describe('HorizontalPodAutoscalerController', () => {
  const clock = new FakeClock(Date.parse('2025-06-01T12:00:00Z'));
  const usage = new Map<string, number>();
  const source = {
    nodeUsage: () => undefined,
    podUsage: (ns: string, name: string): PodUsage | undefined => {
      const cpu = usage.get(`${ns}/${name}`);
      return cpu === undefined ? undefined : { timestampMs: clock.now(), windowMs: 15_000, containers: [{ name: 'c', cpuNanoCores: cpu * 1e6, memoryBytes: 2 ** 20 }] };
    },
  };
  // custom.metrics.k8s.io: the latency of Ingress default/web and each pod's request rate, as the ingress would report them.
  let latencySeconds: number | undefined = 0.5;
  const podRps = new Map<string, number>();
  const custom: CustomMetricsSource = {
    metrics: () => [
      { resource: 'ingresses.networking.k8s.io', metric: 'request_duration_seconds', kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
      { resource: 'pods', metric: 'requests_per_second', kind: 'Pod', apiVersion: 'v1' },
    ],
    objectMetric: (ns, resource, name) => {
      if (resource === 'pods') {
        const v = podRps.get(`${ns}/${name}`);
        return v === undefined ? undefined : { value: v, timestampMs: clock.now(), windowSeconds: 60 };
      }
      return ns === 'default' && name === 'web' && latencySeconds !== undefined ? { value: latencySeconds, timestampMs: clock.now(), windowSeconds: 60 } : undefined;
    },
    objectNames: (ns, resource) => (resource === 'pods' ? [...podRps.keys()].filter((k) => k.startsWith(`${ns}/`)).map((k) => k.slice(ns.length + 1)) : ['web']),
  };
  let h: ControllerHarness;
  let ctrl: HorizontalPodAutoscalerController;

  before(async () => {
    h = await startHarness(clock, { disable: ['deployment', 'replicaset', 'horizontalpodautoscaling'], resourceMetrics: source, customMetrics: custom });
    ctrl = new HorizontalPodAutoscalerController(h.deps, { syncPeriodMs: 3_600_000 });
    h.run(ctrl);
  });
  after(async () => h.stop());

  const hpas = () => h.client.resource('autoscaling/v2', 'horizontalpodautoscalers');
  const deployments = () => h.client.resource('apps/v1', 'deployments');
  const replicas = async (name: string) => ((await deployments().get('default', name)) as unknown as { spec: { replicas: number } }).spec.replicas;
  const getHpa = async (name: string) => (await hpas().get('default', name)) as unknown as HorizontalPodAutoscaler;
  const condition = (hpa: HorizontalPodAutoscaler, type: string) => hpa.status?.conditions?.find((c) => c.type === type);
  async function events(name: string): Promise<Event[]> {
    await h.events.flush();
    const list = await h.client.resource('v1', 'events').list('default', { fieldSelector: `involvedObject.name=${name}` });
    return list.items as unknown as Event[];
  }

  /** workload creates a Deployment and its running, ready pods (no workload controllers run here), each using `milli` CPU. */
  async function workload(name: string, count: number, milli: number | undefined): Promise<void> {
    const template = { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100m' } } }] } };
    await deployments().create({ metadata: { name, namespace: 'default' }, spec: { replicas: count, selector: { matchLabels: { app: name } }, template } } as ApiObject);
    const old = formatTime(clock.now() - 3_600_000);
    for (let i = 0; i < count; i++) {
      // Bound to a node already, so the scheduler leaves them alone.
      await h.client.resource('v1', 'pods').create({ metadata: { name: `${name}-${i}`, namespace: 'default', labels: { app: name } }, spec: { ...template.spec, nodeName: 'n1' } } as ApiObject);
      await h.client.resource('v1', 'pods').patch('default', `${name}-${i}`, 'merge', { status: { phase: 'Running', startTime: old, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: old }] } }, { subresource: 'status' });
      if (milli !== undefined) usage.set(`default/${name}-${i}`, milli);
    }
    const pods = h.deps.informers.informer<Pod & ApiObject>('v1', 'pods');
    await waitFor(`${name} pods cached`, () => (pods.store.list().filter((p) => p.metadata?.labels?.app === name && p.status?.phase === 'Running').length === count ? true : undefined));
  }

  async function hpa(name: string, spec: Partial<HorizontalPodAutoscaler['spec']>): Promise<void> {
    await hpas().create({ metadata: { name, namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 2, maxReplicas: 8, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }], ...spec } } as ApiObject);
    const informer = h.deps.informers.informer<ApiObject>('autoscaling/v2', 'horizontalpodautoscalers');
    await waitFor(`${name} hpa cached`, () => (informer.store.get(`default/${name}`) ? true : undefined));
  }

  it('scales up on CPU utilization, limited to max(2x, 4) without behavior, with status and events', async () => {
    await workload('web', 2, 400);
    await hpa('web', {});
    await ctrl.reconcile('default/web');
    assert.equal(await replicas('web'), 4);
    const got = await getHpa('web');
    assert.equal(got.status?.currentReplicas, 2);
    assert.equal(got.status?.desiredReplicas, 4);
    assert.equal(got.status?.lastScaleTime, formatTime(clock.now()));
    assert.deepEqual(got.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 400, averageValue: '400m' } } }]);
    assert.deepEqual([condition(got, 'AbleToScale')?.reason, condition(got, 'ScalingActive')?.reason, condition(got, 'ScalingLimited')?.reason, condition(got, 'ScalingLimited')?.status], ['SucceededRescale', 'ValidMetricFound', 'ScaleUpLimit', 'True']);
    assert.equal(condition(got, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    const rescale = (await events('web')).find((e) => e.reason === 'SuccessfulRescale');
    assert.equal(rescale?.message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');
  });

  it('holds a scale-down for the stabilization window, then scales to minReplicas within the behavior rate', async () => {
    await workload('api', 4, 10);
    await hpa('api', { behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } } });
    await ctrl.reconcile('default/api');
    assert.equal(await replicas('api'), 4);
    let got = await getHpa('api');
    assert.equal(condition(got, 'AbleToScale')?.reason, 'ScaleDownStabilized');
    assert.equal(got.status?.desiredReplicas, 4);
    clock.step(61_000);
    await ctrl.reconcile('default/api');
    assert.equal(await replicas('api'), 3, 'one pod per 30 s');
    got = await getHpa('api');
    assert.deepEqual([condition(got, 'ScalingLimited')?.status, condition(got, 'ScalingLimited')?.reason], ['True', 'ScaleDownLimit']);
    clock.step(10_000);
    await ctrl.reconcile('default/api');
    assert.equal(await replicas('api'), 3, 'the period is not over');
    clock.step(25_000);
    await ctrl.reconcile('default/api');
    assert.equal(await replicas('api'), 2);
    assert.ok((await events('api')).some((e) => e.reason === 'SuccessfulRescale' && e.message === 'New size: 2; reason: All metrics below target'));
  });

  it('reports a missing resource metric as ScalingActive=False without scaling', async () => {
    await workload('dark', 2, undefined);
    await hpa('dark', {});
    await ctrl.reconcile('default/dark');
    assert.equal(await replicas('dark'), 2);
    const got = await getHpa('dark');
    const active = condition(got, 'ScalingActive');
    assert.deepEqual([active?.status, active?.reason], ['False', 'FailedGetResourceMetric']);
    assert.equal(active?.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
    const ev = await events('dark');
    assert.ok(ev.some((e) => e.reason === 'FailedGetResourceMetric'));
    assert.ok(ev.some((e) => e.reason === 'FailedComputeMetricsReplicas' && e.message?.startsWith('invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ')));
  });

  it('answers a Pods metric no pod reports as upstream does, and a missing target with FailedGetScale', async () => {
    await workload('rps', 2, 100);
    await hpa('rps', { metrics: [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } } }] });
    await ctrl.reconcile('default/rps');
    const got = await getHpa('rps');
    assert.deepEqual([condition(got, 'ScalingActive')?.status, condition(got, 'ScalingActive')?.reason], ['False', 'FailedGetPodsMetric']);
    assert.equal(condition(got, 'ScalingActive')?.message, 'the HPA was unable to compute the replica count: unable to get metric requests_per_second: no metrics returned from custom metrics API');
    await hpas().create({ metadata: { name: 'ghost', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nothing' }, maxReplicas: 3 } } as ApiObject);
    const informer = h.deps.informers.informer<ApiObject>('autoscaling/v2', 'horizontalpodautoscalers');
    await waitFor('ghost cached', () => (informer.store.get('default/ghost') ? true : undefined));
    await ctrl.reconcile('default/ghost');
    const ghost = await getHpa('ghost');
    assert.deepEqual([condition(ghost, 'AbleToScale')?.status, condition(ghost, 'AbleToScale')?.reason], ['False', 'FailedGetScale']);
    assert.match(condition(ghost, 'AbleToScale')?.message ?? '', /^the HPA controller was unable to get the target's current scale: deployments.apps "nothing" not found/);
  });

  it('scales on a Pods metric from custom.metrics.k8s.io: each pod\'s request rate against an average target', async () => {
    await workload('busy', 2, 10);
    for (const i of [0, 1]) podRps.set(`default/busy-${i}`, 30);
    const pods = { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } };
    await hpa('busy', { metrics: [{ type: 'Pods', pods }], behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } });
    await ctrl.reconcile('default/busy');
    assert.equal(await replicas('busy'), 6, '2 pods at 3x the target');
    let got = await getHpa('busy');
    assert.deepEqual(got.status?.currentMetrics, [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, current: { averageValue: '30' } } }]);
    assert.equal(condition(got, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from pods metric requests_per_second');
    assert.ok((await events('busy')).some((e) => e.reason === 'SuccessfulRescale' && e.message === 'New size: 6; reason: pods metric requests_per_second above target'));
    // The rate falls to 2.5 per pod: 2 ready pods (the other 4 were never created here) need 1, held at minReplicas.
    for (const i of [0, 1]) podRps.set(`default/busy-${i}`, 2.5);
    clock.step(31_000);
    await ctrl.reconcile('default/busy');
    assert.equal(await replicas('busy'), 2);
    got = await getHpa('busy');
    assert.deepEqual(got.status?.currentMetrics, [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, current: { averageValue: '2500m' } } }]);
  });

  it('scales on an Object metric from custom.metrics.k8s.io: the Ingress\'s request latency', async () => {
    await workload('slow', 2, 10);
    const object = { metric: { name: 'request_duration_seconds' }, describedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' }, target: { type: 'Value', value: '100m' } };
    await hpa('slow', { metrics: [{ type: 'Object', object }] });
    await ctrl.reconcile('default/slow');
    assert.equal(await replicas('slow'), 4, 'latency 5x the target, limited to max(2x, 4)');
    let got = await getHpa('slow');
    assert.deepEqual(got.status?.currentMetrics, [{ type: 'Object', object: { metric: { name: 'request_duration_seconds' }, describedObject: object.describedObject, current: { value: '500m' } } }]);
    assert.equal(condition(got, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from Ingress metric request_duration_seconds');
    latencySeconds = undefined;
    clock.step(60_000);
    await ctrl.reconcile('default/slow');
    got = await getHpa('slow');
    assert.deepEqual([condition(got, 'ScalingActive')?.status, condition(got, 'ScalingActive')?.reason], ['False', 'FailedGetObjectMetric']);
    assert.match(condition(got, 'ScalingActive')?.message ?? '', /unable to get metric request_duration_seconds: Ingress on default web\/unable to fetch metrics from custom metrics API: the server could not find the metric request_duration_seconds for ingresses.networking.k8s.io web/);
    latencySeconds = 0.5;
  });
});
