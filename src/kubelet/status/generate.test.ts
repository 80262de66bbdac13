import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { RuntimeContainer, RuntimePod } from '../pods/runtime-state.ts';
import { generatePodStatus, type Waiting } from './generate.ts';

const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox:1.35', ...extra });
const run = (name: string, state: RuntimeContainer['state'], exitCode = 0, restartCount = 0, reason = ''): RuntimeContainer => ({
  id: `${name}${restartCount}`, sandboxId: 's', name, kind: 'app', restartCount, hash: '', state, createdAt: 1000 + restartCount, startedAt: 1000, finishedAt: 2000, exitCode, reason, message: '', image: '', imageRef: 'sha256:abc', graceSeconds: 30,
});
const rp = (containers: RuntimeContainer[]): RuntimePod => ({ uid: 'u', name: 'p', namespace: 'ns', sandboxes: [{ id: 's', attempt: 0, state: 'SANDBOX_READY', createdAt: 1, ip: '10.0.0.9', hostNetwork: false }], containers });
const gen = (pod: Pod, r: RuntimePod, waiting: Map<string, Waiting> = new Map(), ready = true) =>
  generatePodStatus({ pod, runtime: r, waiting, ready: () => ready, started: () => true, hostIPs: ['192.0.2.1'], now: Date.parse('2026-01-01T00:00:00Z') });
const cond = (s: ReturnType<typeof gen>, type: string) => s.conditions?.find((x) => x.type === type);

describe('generatePodStatus', () => {
  it('a running, ready pod', () => {
    const s = gen({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [c('app')] } }, rp([run('app', 'CONTAINER_RUNNING')]));
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.0.0.9');
    assert.deepEqual(s.containerStatuses?.[0]?.state, { running: { startedAt: '1970-01-01T00:00:01Z' } });
    assert.equal(s.containerStatuses?.[0]?.containerID, 'containerd://app0');
    assert.equal(s.containerStatuses?.[0]?.image, 'docker.io/library/busybox:1.35');
    assert.equal(cond(s, 'Ready')?.status, 'True');
    assert.equal(s.qosClass, 'BestEffort');
  });

  it('a readiness probe not passing keeps Ready False with the unready container named', () => {
    const s = gen({ spec: { containers: [c('app')] } }, rp([run('app', 'CONTAINER_RUNNING')]), new Map(), false);
    assert.deepEqual({ ...cond(s, 'Ready'), lastTransitionTime: undefined }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]', lastTransitionTime: undefined });
  });

  it('crash loop: waiting CrashLoopBackOff with the last run in lastState', () => {
    const w = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app pod=p_ns(u)' }]]);
    const s = gen({ spec: { containers: [c('app')] } }, rp([run('app', 'CONTAINER_EXITED', 1, 1), run('app', 'CONTAINER_EXITED', 1, 0)]), w);
    const cs = s.containerStatuses?.[0];
    assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(cs?.lastState?.terminated?.reason, 'Error');
    assert.equal(cs?.restartCount, 1);
    assert.equal(s.phase, 'Running');
  });

  const phases: { name: string; policy: 'Always' | 'OnFailure' | 'Never'; exitCode: number; want: string }[] = [
    { name: 'Never, exit 0', policy: 'Never', exitCode: 0, want: 'Succeeded' },
    { name: 'Never, exit 1', policy: 'Never', exitCode: 1, want: 'Failed' },
    { name: 'OnFailure, exit 0', policy: 'OnFailure', exitCode: 0, want: 'Succeeded' },
    { name: 'OnFailure, exit 1 (restarting)', policy: 'OnFailure', exitCode: 1, want: 'Running' },
    { name: 'Always, exit 0 (restarting)', policy: 'Always', exitCode: 0, want: 'Running' },
  ];
  for (const p of phases) {
    it(`phase: ${p.name}`, () => assert.equal(gen({ spec: { restartPolicy: p.policy, containers: [c('app')] } }, rp([run('app', 'CONTAINER_EXITED', p.exitCode)])).phase, p.want));
  }

  it('init containers pending: Pending, Initialized False, app waiting PodInitializing', () => {
    const s = gen({ spec: { initContainers: [c('init')], containers: [c('app')] } }, rp([run('init', 'CONTAINER_RUNNING')]));
    assert.equal(s.phase, 'Pending');
    assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [init]');
    assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  });

  it('OOMKilled comes through as the runtime reports it', () => {
    const s = gen({ spec: { restartPolicy: 'Never', containers: [c('app')] } }, rp([run('app', 'CONTAINER_EXITED', 137, 0, 'OOMKilled')]));
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.reason, 'OOMKilled');
    assert.equal(s.phase, 'Failed');
  });

  it('ephemeral containers: statuses of their own, never ready, not counted in phase or readiness', () => {
    const pod: Pod = { spec: { containers: [c('app')], ephemeralContainers: [c('debugger-a'), c('debugger-b')] } };
    const s = gen(pod, rp([run('app', 'CONTAINER_RUNNING'), { ...run('debugger-a', 'CONTAINER_EXITED', 2), kind: 'ephemeral' }]));
    assert.equal(s.phase, 'Running');
    assert.equal(cond(s, 'Ready')?.status, 'True');
    assert.deepEqual(s.containerStatuses?.map((x) => x.name), ['app']);
    const [a, b] = s.ephemeralContainerStatuses ?? [];
    assert.equal(a?.state?.terminated?.exitCode, 2);
    assert.equal(a?.ready, false);
    assert.equal(a?.started, undefined);
    assert.equal(b?.state?.waiting?.reason, 'ContainerCreating');
  });
});
