// berth bench cri-floor: the floor under pod startup. The same busybox pod Berth's agent would run, started
// straight through CRI from this process (RunPodSandbox -> CreateContainer -> StartContainer), one pod at a
// time, on a private containerd with the image present. `berth bench pods` compares the agent against it.
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

/** measureCriFloor starts pods one after another through CRI, then removes them, and reports the times. */
export async function measureCriFloor(o: CriFloorOptions): Promise<CriFloor> {
  const image = o.image ?? 'localhost/busybox:1.35';
  const startMs: number[] = [];
  const sandboxMs: number[] = [];
  const teardownMs: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < o.pods; i++) {
    const sc = o.sandboxConfig(`floor-${i}`);
    const t0 = performance.now();
    const id = await o.cri.runPodSandbox(sc);
    const t1 = performance.now();
    const cid = await o.cri.createContainer(id, { metadata: { name: 'web' }, image: { image }, command: ['httpd', '-f', '-p', '8080', '-h', '/www'], logPath: 'web/0.log' }, sc);
    await o.cri.startContainer(cid);
    startMs.push(performance.now() - t0);
    sandboxMs.push(t1 - t0);
    ids.push(id);
  }
  for (const id of ids) {
    const t0 = performance.now();
    await o.cri.stopPodSandbox(id);
    await o.cri.removePodSandbox(id);
    teardownMs.push(performance.now() - t0);
  }
  return { startMs, sandboxMs, p50Ms: percentile(startMs, 50), p99Ms: percentile(startMs, 99), teardownP50Ms: percentile(teardownMs, 50) };
}

/** criFloor is `berth bench cri-floor`: a private containerd, N sequential busybox pods, p50 and p99. */
export default async function criFloor(opts: BenchOptions): Promise<BenchReport> {
  const pods = opts.quick ? 5 : 20;
  opts.log(`starting a private containerd and ${pods} busybox pods, one at a time`);
  const env = await startTestContainerd();
  try {
    // One pod first so that image unpacking and the first shim do not count.
    await measureCriFloor({ cri: env.cri, pods: 1, sandboxConfig: env.sandboxConfig });
    const f = await measureCriFloor({ cri: env.cri, pods, sandboxConfig: env.sandboxConfig });
    return {
      title: `CRI floor: ${pods} busybox pods through containerd ${(await env.cri.version()).runtimeVersion}`,
      rows: [
        { name: 'pod start p50 (RunPodSandbox -> StartContainer)', value: f.p50Ms, unit: 'ms', note: 'measured earlier here: ~200 ms' },
        { name: 'pod start p99', value: f.p99Ms, unit: 'ms' },
        { name: 'RunPodSandbox p50', value: percentile(f.sandboxMs, 50), unit: 'ms' },
        { name: 'StopPodSandbox + RemovePodSandbox p50', value: f.teardownP50Ms, unit: 'ms' },
      ],
      figures: { cri_floor_p50_ms: Math.round(f.p50Ms), cri_floor_p99_ms: Math.round(f.p99Ms), cri_sandbox_p50_ms: Math.round(percentile(f.sandboxMs, 50)) },
    };
  } finally {
    await env.teardown();
  }
}
