import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container } from 'kubernetes-types/core/v1.js';
import { buildPodStatus, goDuration, imageIdOf, normalizeImage, type PodObject, type PodView } from './pod-status.ts';

function newPod(containers: Partial<Container>[], extra: Partial<NonNullable<PodObject['spec']>> = {}): PodObject {
  return { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: 'nginx', ...c })), ...extra } };
}

describe('normalizeImage', () => {
  const cases = [
    { in: 'nginx', want: 'docker.io/library/nginx:latest' },
    { in: 'nginx:1.27', want: 'docker.io/library/nginx:1.27' },
    { in: 'bitnami/redis', want: 'docker.io/bitnami/redis:latest' },
    { in: 'registry.k8s.io/pause:3.10', want: 'registry.k8s.io/pause:3.10' },
    { in: 'localhost:5000/app', want: 'localhost:5000/app:latest' },
    { in: 'nginx@sha256:abc', want: 'docker.io/library/nginx@sha256:abc' },
  ];
  for (const c of cases) it(c.in, () => assert.equal(normalizeImage(c.in), c.want));
  it('derives a repository digest for the image ID', () => assert.match(imageIdOf('nginx:1.27'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/));
});

describe('goDuration', () => {
  const cases = [{ ms: 10_000, want: '10s' }, { ms: 80_000, want: '1m20s' }, { ms: 300_000, want: '5m0s' }, { ms: 100, want: '100ms' }];
  for (const c of cases) it(c.want, () => assert.equal(goDuration(c.ms), c.want));
});

describe('buildPodStatus', () => {
  const t0 = Date.parse('2030-01-01T00:00:00Z');
  const base: PodView = { phase: 'Running', hostIP: '172.16.0.1', podIP: '10.42.0.2', startTime: t0, restartCount: 0, run: { kind: 'running', startedAt: t0, readyAt: t0 + 5_000, startupDoneAt: t0 } };
  const cond = (s: ReturnType<typeof buildPodStatus>, type: string) => s.conditions?.find((c) => c.type === type);

  it('reports a running container as not ready until its readiness delay passed', () => {
    const pod = newPod([{ name: 'web' }]);
    const early = buildPodStatus(pod, base, t0 + 1_000, undefined);
    assert.equal(early.containerStatuses?.[0]?.ready, false);
    assert.deepEqual({ ...cond(early, 'Ready'), lastTransitionTime: undefined }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]', lastTransitionTime: undefined });
    const later = buildPodStatus(pod, base, t0 + 6_000, early);
    assert.equal(cond(later, 'Ready')?.status, 'True');
    assert.equal(cond(later, 'Ready')?.lastTransitionTime, '2030-01-01T00:00:06Z');
    // Conditions that did not change keep their transition time.
    assert.equal(cond(later, 'Initialized')?.lastTransitionTime, '2030-01-01T00:00:01Z');
  });

  it('holds Ready back until readiness gates are True', () => {
    const pod = { ...newPod([{}], { readinessGates: [{ conditionType: 'example.com/lb' }] }), status: { conditions: [{ type: 'example.com/lb', status: 'False' }] } };
    const s = buildPodStatus(pod, { ...base, run: { kind: 'running', startedAt: t0, readyAt: t0, startupDoneAt: t0 } }, t0, undefined);
    assert.equal(cond(s, 'ContainersReady')?.status, 'True');
    assert.equal(cond(s, 'Ready')?.reason, 'ReadinessGatesNotReady');
  });

  it('reports a completed pod as upstream does', () => {
    const s = buildPodStatus(newPod([{}]), { ...base, phase: 'Succeeded', run: { kind: 'exited', run: { exitCode: 0, startedAt: t0, finishedAt: t0 + 5_000 } } }, t0 + 5_000, undefined);
    assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason]), [['PodReadyToStartContainers', 'False', undefined], ['Initialized', 'True', 'PodCompleted'], ['Ready', 'False', 'PodCompleted'], ['ContainersReady', 'False', 'PodCompleted']]);
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.finishedAt, '2030-01-01T00:00:05Z');
  });

  it('reports a crash loop with the last termination and a back-off message', () => {
    const view: PodView = { ...base, restartCount: 2, lastTerminated: { exitCode: 1, startedAt: t0, finishedAt: t0 + 1_000 }, run: { kind: 'backoff', delayMs: 20_000 } };
    const cs = buildPodStatus(newPod([{ name: 'app' }]), view, t0 + 1_000, undefined).containerStatuses?.[0];
    assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(cs?.state?.waiting?.message, 'back-off 20s restarting failed container=app pod=p_ns(u1)');
    assert.equal(cs?.lastState?.terminated?.exitCode, 1);
    assert.equal(cs?.lastState?.terminated?.containerID, cs?.containerID);
    assert.equal(cs?.restartCount, 2);
  });

  it('waits on init containers while the pod is being created', () => {
    const pod = newPod([{ name: 'app' }], { initContainers: [{ name: 'setup', image: 'busybox' }] });
    const s = buildPodStatus(pod, { ...base, phase: 'Pending', podIP: undefined, run: { kind: 'creating' } } as PodView, t0, undefined);
    assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [setup]');
    assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    assert.equal(s.podIP, undefined);
  });
});
