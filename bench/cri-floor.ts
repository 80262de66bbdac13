// berth bench cri-floor: the floor under pod startup. The same busybox pod Berth's agent would run, started
// straight through CRI from this process (RunPodSandbox -> CreateContainer -> StartContainer), one pod at a
// time and then a burst of pods all at once, on a private containerd with the image present. `berth bench
// pods` compares the agent against it.
import { performance } from 'node:perf_hooks';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import type { CriClient } from '../src/kubelet/cri/client.ts';
import type { CriInput, PodSandboxConfig } from '../src/kubelet/cri/types.ts';
import { startTestContainerd } from '../src/testing/containerd.ts';
import { percentile } from './stats.ts';

/** CriFloorOptions say what to start: pods number of pods, sandboxConfig a fresh config per pod. */
export interface CriFloorOptions {
  cri: CriClient;
  pods: number;
  sandboxConfig: (name: string) => CriInput<PodSandboxConfig>;
  image?: string;
}

/** CriFloor is the start time of each pod (RunPodSandbox called to StartContainer returned), and its parts. */
export interface CriFloor {
  startMs: number[];
  sandboxMs: number[];
  p50Ms: number;
  p99Ms: number;
  /** teardownP50Ms is StopPodSandbox + RemovePodSandbox. */
  teardownP50Ms: number;
}

/** startFloorPod runs one pod's sandbox and starts its web container; it returns the sandbox id and when the sandbox was up. */
async function startFloorPod(o: CriFloorOptions, name: string): Promise<{ id: string; sandboxAt: number }> {
  const sc = o.sandboxConfig(name);
  const id = await o.cri.runPodSandbox(sc);
  const sandboxAt = performance.now();
  const cid = await o.cri.createContainer(id, { metadata: { name: 'web' }, image: { image: o.image ?? 'localhost/busybox:1.35' }, command: ['httpd', '-f', '-p', '8080', '-h', '/www'], logPath: 'web/0.log' }, sc);
  await o.cri.startContainer(cid);
  return { id, sandboxAt };
}

/** removeFloorPods stops and removes sandboxes one after another and returns the time each took. */
async function removeFloorPods(cri: CriClient, ids: string[]): Promise<number[]> {
  const teardownMs: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await cri.stopPodSandbox(id);
    await cri.removePodSandbox(id);
    teardownMs.push(performance.now() - t0);
  }
  return teardownMs;
}

/** measureCriFloor starts pods one after another through CRI, then removes them, and reports the times. */
export async function measureCriFloor(o: CriFloorOptions): Promise<CriFloor> {
  const startMs: number[] = [];
  const sandboxMs: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < o.pods; i++) {
    const t0 = performance.now();
    const { id, sandboxAt } = await startFloorPod(o, `floor-${i}`);
    startMs.push(performance.now() - t0);
    sandboxMs.push(sandboxAt - t0);
    ids.push(id);
  }
  const teardownMs = await removeFloorPods(o.cri, ids);
  return { startMs, sandboxMs, p50Ms: percentile(startMs, 50), p99Ms: percentile(startMs, 99), teardownP50Ms: percentile(teardownMs, 50) };
}

/** CriBurstFloor is a burst of pods started at once: each pod's time from the burst's start, and the whole burst's. */
export interface CriBurstFloor {
  startMs: number[];
  p50Ms: number;
  p99Ms: number;
  /** totalMs is the burst's start to the last StartContainer returned. */
  totalMs: number;
}

/**
 * measureCriBurst starts o.pods pods all at once through CRI (each its sandbox with CNI, then its container,
 * as the agent does them), times every pod from the burst's start to its StartContainer returned, and removes them.
 */
export async function measureCriBurst(o: CriFloorOptions): Promise<CriBurstFloor> {
  const t0 = performance.now();
  const startMs: number[] = [];
  const ids = await Promise.all(Array.from({ length: o.pods }, async (_, i) => {
    const { id } = await startFloorPod(o, `burst-${i}`);
    startMs.push(performance.now() - t0);
    return id;
  }));
  const totalMs = performance.now() - t0;
  await removeFloorPods(o.cri, ids);
  return { startMs, p50Ms: percentile(startMs, 50), p99Ms: percentile(startMs, 99), totalMs };
}

/** criFloor is `berth bench cri-floor`: a private containerd, N sequential busybox pods, then a burst; p50 and p99. */
export default async function criFloor(opts: BenchOptions): Promise<BenchReport> {
  const pods = opts.quick ? 5 : 20;
  const burst = opts.quick ? 10 : 50;
  opts.log(`starting a private containerd and ${pods} busybox pods, one at a time, then ${burst} at once`);
  const env = await startTestContainerd();
  try {
    // One pod first so that image unpacking and the first shim do not count.
    await measureCriFloor({ cri: env.cri, pods: 1, sandboxConfig: env.sandboxConfig });
    const f = await measureCriFloor({ cri: env.cri, pods, sandboxConfig: env.sandboxConfig });
    const b = await measureCriBurst({ cri: env.cri, pods: burst, sandboxConfig: env.sandboxConfig });
    return {
      title: `CRI floor: ${pods} busybox pods through containerd ${(await env.cri.version()).runtimeVersion}`,
      rows: [
        { name: 'pod start p50 (RunPodSandbox -> StartContainer)', value: f.p50Ms, unit: 'ms', note: 'measured earlier here: ~200 ms' },
        { name: 'pod start p99', value: f.p99Ms, unit: 'ms' },
        { name: 'RunPodSandbox p50', value: percentile(f.sandboxMs, 50), unit: 'ms' },
        { name: 'StopPodSandbox + RemovePodSandbox p50', value: f.teardownP50Ms, unit: 'ms' },
        { name: `${burst} pods at once: start p50`, value: b.p50Ms, unit: 'ms' },
        { name: `${burst} pods at once: start p99`, value: b.p99Ms, unit: 'ms' },
        { name: `${burst} pods at once: all started`, value: b.totalMs, unit: 'ms' },
      ],
      figures: {
        cri_floor_p50_ms: Math.round(f.p50Ms),
        cri_floor_p99_ms: Math.round(f.p99Ms),
        cri_sandbox_p50_ms: Math.round(percentile(f.sandboxMs, 50)),
        burst_pods: burst,
        cri_floor_50pods_p50_ms: Math.round(b.p50Ms),
        cri_floor_50pods_p99_ms: Math.round(b.p99Ms),
        cri_floor_50pods_total_ms: Math.round(b.totalMs),
      },
    };
  } finally {
    await env.teardown();
  }
}
