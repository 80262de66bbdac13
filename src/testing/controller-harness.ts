import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKubeconfig } from '../apiserver/auth/index.ts';
import { EventBroadcaster } from '../client/events.ts';
import { Client, httpsTransport, InformerFactory, RestMapper } from '../client/index.ts';
import type { Clock } from '../clock.ts';
import { ControlPlane, type ControlPlaneOptions } from '../server/control-plane.ts';
import type { Controller, ControllerDeps } from '../controllers/controller.ts';

// A test harness for controller tests: an in-process control plane, and the ControllerDeps a controller
// manager would hand out, with a clock the test moves. (It belongs in src/testing/ once that may be edited.)

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
  /** run starts controllers and then the informers. */
  run(...controllers: Controller[]): void;
  stop(): Promise<void>;
}

/** startHarness starts a control plane in a temporary directory and builds deps on the given clock; `server` adds control-plane options (more components to disable, a metrics source). */
export async function startHarness(clock: Clock, server: Pick<ControlPlaneOptions, 'disable' | 'resourceMetrics' | 'customMetrics'> = {}): Promise<ControllerHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ctrl-'));
  // The controllers under test run here with test settings; the server's own copies must not race them.
  const disable = ['job', 'cronjob', 'endpoints', 'endpointslice', 'nodeipam', ...(server.disable ?? [])];
  const cp = new ControlPlane({ dataDir: dir, bindAddress: '127.0.0.1', port: 0, disable, log: () => {}, ...(server.resourceMetrics ? { resourceMetrics: server.resourceMetrics } : {}), ...(server.customMetrics ? { customMetrics: server.customMetrics } : {}) });
  await cp.start();
  const kc = await readKubeconfig(cp.kubeconfigPath);
  const client = new Client(httpsTransport({ server: kc.server, ...(kc.caPem ? { ca: kc.caPem } : {}), ...(kc.clientCertPem ? { cert: kc.clientCertPem } : {}), ...(kc.clientKeyPem ? { key: kc.clientKeyPem } : {}) }));
  const informers = new InformerFactory(client);
  const events = new EventBroadcaster({ client, clock, retrySleepMs: 10 });
  const deps: ControllerDeps = { client, informers, mapper: new RestMapper(client.transport), clock, log: process.env.BERTH_TEST_LOG ? (m: string) => console.error(m) : () => {}, recorder: (component) => events.newRecorder({ component }) };
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
