import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { EventBroadcaster } from '../client/events.ts';
import { Client, httpsTransport, InformerFactory, RestMapper } from '../client/index.ts';
import type { Clock } from '../clock.ts';
import { ControlPlane } from '../server/control-plane.ts';
import type { ControllerDeps } from '../controllers/controller.ts';
import { formatTime } from '../api/time.ts';
import { ApiError } from '../api/errors.ts';
import type { PodObject } from '../controllers/podutil/pods.ts';

/** ControllerTestEnv is an in-process control plane plus the dependencies a controller under test receives. */
export interface ControllerTestEnv {
  cp: ControlPlane;
  client: Client;
  deps: ControllerDeps;
  abort: AbortController;
  /** startInformers runs the shared informers (after controllers have registered theirs). */
  startInformers(): void;
  stop(): Promise<void>;
}

/** startControllerTestEnv starts a control plane (GC, namespace controllers and scheduler, but not the workload controllers). */
export async function startControllerTestEnv(clock: Clock = { now: () => Date.now() }, disable: string[] = []): Promise<ControllerTestEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ctrl-'));
  const cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable: ['deployment', 'replicaset', ...disable], log: () => {} });
  await cp.start();
  const kc = await readKubeconfig(cp.kubeconfigPath);
  const client = new Client(httpsTransport({ server: kc.server, ca: kc.caPem ?? '', cert: kc.clientCertPem ?? '', key: kc.clientKeyPem ?? '' }));
  const abort = new AbortController();
  const informers = new InformerFactory(client);
  const events = new EventBroadcaster({ client, clock });
  events.start(abort.signal);
  const deps: ControllerDeps = { client, informers, mapper: new RestMapper(client.transport), clock, log: () => {}, recorder: (component) => events.newRecorder({ component }) };
  return {
    cp,
    client,
    deps,
    abort,
    startInformers: () => informers.start(abort.signal),
    stop: async () => {
      abort.abort();
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** waitFor polls fn until it returns a value other than undefined, failing after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** markPodReady sets a pod Running and Ready, as a node agent would. */
export async function markPodReady(client: Client, pod: PodObject, readySinceMs = Date.now()): Promise<void> {
  const t = formatTime(readySinceMs);
  const pods = client.resource<PodObject>('v1', 'pods');
  // Controllers of the env may write the pod meanwhile; a kubelet retries such a conflict on the fresh pod.
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
