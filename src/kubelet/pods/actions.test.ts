import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions, type ProbeVerdicts } from './actions.ts';
import { hashContainer } from './labels.ts';
import type { RuntimeContainer, RuntimePod, RuntimeSandbox } from './runtime-state.ts';

const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });
const sidecar = c('side', { restartPolicy: 'Always' });
const sandbox: RuntimeSandbox = { id: 's1', attempt: 0, state: 'SANDBOX_READY', createdAt: 1, ip: '10.0.0.2', hostNetwork: false };
const run = (spec: Container, state: RuntimeContainer['state'], exitCode = 0, restartCount = 0): RuntimeContainer => ({
  id: `${spec.name}-${restartCount}`, sandboxId: 's1', name: spec.name, kind: 'app', restartCount, hash: hashContainer(spec), state,
  createdAt: 1, startedAt: 1, finishedAt: 2, exitCode, reason: '', message: '', image: 'busybox', imageRef: 'sha256:x', graceSeconds: 30,
});
const rt = (containers: RuntimeContainer[], sandboxes = [sandbox]): RuntimePod => ({ uid: 'u', name: 'p', namespace: 'ns', sandboxes, containers });
const pod = (spec: Partial<NonNullable<Pod['spec']>>): Pod => ({ metadata: { uid: 'u' }, spec: { containers: [c('app')], ...spec } });
const healthy: ProbeVerdicts = { killReason: () => undefined, started: () => true };

/** summary names what a sync would do, for compact expectations. */
function summary(p: Pod, r: RuntimePod, probes = healthy): string {
  const a = computePodActions(p, r, probes);
  const parts = [
    ...(a.createSandbox ? [`sandbox#${a.sandboxAttempt}`] : []),
    ...(a.killPod ? ['killPod'] : []),
    ...a.kill.map((k) => `kill ${k.run.name}(${k.reason})`),
    ...a.start.map((s) => `start ${s.c.name}#${s.restartCount}`),
    ...(a.initFailed ? [`initFailed ${a.initFailed}`] : []),
  ];
  return parts.join(', ');
}

describe('computePodActions', () => {
  const app = c('app');
  const init = c('init');
  const dbg = c('debugger', { stdin: true });
  const cases: { name: string; pod: Pod; rt: RuntimePod; probes?: ProbeVerdicts; want: string }[] = [
    { name: 'new pod: a sandbox and the app', pod: pod({}), rt: rt([], []), want: 'sandbox#0, start app#0' },
    { name: 'new pod with init: the first init container only', pod: pod({ initContainers: [init] }), rt: rt([], []), want: 'sandbox#0, start init#0' },
    { name: 'init running: wait', pod: pod({ initContainers: [init] }), rt: rt([run(init, 'CONTAINER_RUNNING')]), want: '' },
    { name: 'init done: the app', pod: pod({ initContainers: [init] }), rt: rt([run(init, 'CONTAINER_EXITED')]), want: 'start app#0' },
    { name: 'init failed, Always: restart it', pod: pod({ initContainers: [init] }), rt: rt([run(init, 'CONTAINER_EXITED', 1)]), want: 'start init#1' },
    { name: 'init failed, Never: the pod fails', pod: pod({ initContainers: [init], restartPolicy: 'Never' }), rt: rt([run(init, 'CONTAINER_EXITED', 1)]), want: 'killPod, initFailed init' },
    { name: 'sidecar not started yet: wait before the app', pod: pod({ initContainers: [sidecar] }), rt: rt([run(sidecar, 'CONTAINER_RUNNING')]), probes: { killReason: () => undefined, started: () => false }, want: '' },
    { name: 'sidecar started: the app', pod: pod({ initContainers: [sidecar] }), rt: rt([run(sidecar, 'CONTAINER_RUNNING')]), want: 'start app#0' },
    { name: 'sidecar exited after init: restart it', pod: pod({ initContainers: [sidecar] }), rt: rt([run(sidecar, 'CONTAINER_EXITED', 1), run(app, 'CONTAINER_RUNNING')]), want: 'start side#1' },
    { name: 'running: nothing', pod: pod({}), rt: rt([run(app, 'CONTAINER_RUNNING')]), want: '' },
    { name: 'exited, Always: restart', pod: pod({}), rt: rt([run(app, 'CONTAINER_EXITED', 0, 2)]), want: 'start app#3' },
    { name: 'exited 0, OnFailure: done', pod: pod({ restartPolicy: 'OnFailure' }), rt: rt([run(app, 'CONTAINER_EXITED', 0)]), want: 'killPod' },
    { name: 'exited 1, OnFailure: restart', pod: pod({ restartPolicy: 'OnFailure' }), rt: rt([run(app, 'CONTAINER_EXITED', 1)]), want: 'start app#1' },
    { name: 'exited, Never: done', pod: pod({ restartPolicy: 'Never' }), rt: rt([run(app, 'CONTAINER_EXITED', 1)]), want: 'killPod' },
    { name: 'liveness failed: kill and restart', pod: pod({}), rt: rt([run(app, 'CONTAINER_RUNNING')]), probes: { killReason: () => 'liveness', started: () => true }, want: 'kill app(liveness), start app#1' },
    { name: 'spec changed: kill and restart', pod: pod({ containers: [c('app', { args: ['new'] })] }), rt: rt([run(app, 'CONTAINER_RUNNING')]), want: 'kill app(spec-changed), start app#1' },
    { name: 'sandbox died: a new one, containers again', pod: pod({}), rt: rt([run(app, 'CONTAINER_EXITED', 137)], [{ ...sandbox, state: 'SANDBOX_NOTREADY' }]), want: 'sandbox#1, killPod, start app#1' },
    { name: 'ephemeral container added: start it once', pod: pod({ ephemeralContainers: [dbg] }), rt: rt([run(app, 'CONTAINER_RUNNING')]), want: 'start debugger#0' },
    { name: 'ephemeral container added while init runs: start it anyway', pod: pod({ initContainers: [init], ephemeralContainers: [dbg] }), rt: rt([run(init, 'CONTAINER_RUNNING')]), want: 'start debugger#0' },
    { name: 'ephemeral container exited: never restarted', pod: pod({ ephemeralContainers: [dbg] }), rt: rt([run(app, 'CONTAINER_RUNNING'), run(dbg, 'CONTAINER_EXITED', 1)]), want: '' },
    { name: 'pod finished: its ephemeral container does not keep it', pod: pod({ restartPolicy: 'Never', ephemeralContainers: [dbg] }), rt: rt([run(app, 'CONTAINER_EXITED', 0)]), want: 'killPod' },
    { name: 'sandbox gone after a Never pod finished: not recreated', pod: pod({ restartPolicy: 'Never' }), rt: rt([run(app, 'CONTAINER_EXITED', 0)], [{ ...sandbox, state: 'SANDBOX_NOTREADY' }]), want: 'killPod' },
  ];
  for (const t of cases) it(t.name, () => assert.equal(summary(t.pod, t.rt, t.probes), t.want));
});
