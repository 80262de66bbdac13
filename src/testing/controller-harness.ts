import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { EventBroadcaster } from '../client/events.ts';
import { Client, httpsTransport, inProcessTransport, InformerFactory, RestMapper } from '../client/index.ts';
import type { Clock } from '../clock.ts';
import { ControlPlane, type ControlPlaneOptions } from '../server/control-plane.ts';
import type { Controller, ControllerDeps } from '../controllers/controller.ts';
import type { PodObject } from '../controllers/podutil/pods.ts';
import { ApiError } from '../api/errors.ts';
import { formatTime } from '../api/time.ts';

// The test harness for controller tests: an in-process control plane, and the ControllerDeps a controller
// manager would hand out, with a clock the test moves.

/** FakeClock is a Clock the test sets or advances. */
export class FakeClock implements Clock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** step moves the clock forward. */
  step(ms: number): void {
    this.#now += ms;
  }
}

/** ControllerHarness is a running control plane plus controller dependencies. */
export interface ControllerHarness {
  client: Client;
  deps: ControllerDeps;
  events: EventBroadcaster;
  /** run starts controllers (none: reconcile is called by hand) and then the shared informers. */
  run(...controllers: Controller[]): void;
  stop(): Promise<void>;
}

/**
 * startHarness starts a control plane in a temporary directory and builds deps on the given clock; `server` adds
 * control-plane options: the server's own copies of the controllers under test to disable (the workload controllers
 * that tests drive by hand are always off), a metrics source.
 */
export async function startHarness(clock: Clock, server: Pick<ControlPlaneOptions, 'disable' | 'resourceMetrics' | 'customMetrics'> = {}): Promise<ControllerHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ctrl-'));
  // The controllers under test run here with test settings; the server's own copies must not race them.
  const disable = ['job', 'cronjob', 'deployment', 'replicaset', 'endpoints', 'endpointslice', 'nodeipam', ...(server.disable ?? [])];
  const log = process.env.BERTH_TEST_LOG ? (m: string) => console.error(m) : () => {};
  const cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable, watchObjects: 'frozen', log, ...(server.resourceMetrics ? { resourceMetrics: server.resourceMetrics } : {}), ...(server.customMetrics ? { customMetrics: server.customMetrics } : {}) });
  await cp.start();
  const kc = await readKubeconfig(cp.kubeconfigPath);
  const client = new Client(httpsTransport({ server: kc.server, ...(kc.caPem ? { ca: kc.caPem } : {}), ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}), ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}) }));
  // Informers get the watch cache's objects as the server's controllers do, but deep-frozen: a controller under test
  // that changes an object it got from an informer fails here instead of corrupting the server's cache.
  const informers = new InformerFactory(new Client(inProcessTransport(cp.api, { username: 'system:kube-controller-manager', groups: ['system:authenticated'] }, { watchObjects: 'frozen' })), log);
  const events = new EventBroadcaster({ client, clock, retrySleepMs: 10 });
  const deps: ControllerDeps = { client, informers, mapper: new RestMapper(client.transport), clock, log, recorder: (component) => events.newRecorder({ component }) };
  const abort = new AbortController();
  const running: Promise<void>[] = [];
  events.start(abort.signal);
  return {
    client, deps, events,
    run(...controllers) {
      for (const c of controllers) running.push(c.start(abort.signal));
      informers.start(abort.signal);
    },
    async stop() {
      abort.abort();
      await Promise.allSettled(running);
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** waitFor polls until probe returns a value (generous: 90 s, for loaded machines; a pass is never timed). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return assert.fail(`timed out waiting for ${what}`);
}

/** markPodReady sets a pod Running and Ready, as a node agent would. */
export async function markPodReady(client: Client, pod: PodObject, readySinceMs = Date.now()): Promise<void> {
  const t = formatTime(readySinceMs);
  const pods = client.resource<PodObject>('v1', 'pods');
  // Controllers under test may write the pod meanwhile; a kubelet retries such a conflict on the fresh pod.
  for (let attempt = 1, p = pod; ; attempt++) {
    try {
      await pods.updateStatus({ ...p, status: { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } });
      return;
    } catch (err) {
      if (attempt >= 10 || !(err instanceof ApiError) || err.reason !== 'Conflict') throw err;
      p = await pods.get(p.metadata?.namespace, p.metadata?.name ?? '');
    }
  }
}
