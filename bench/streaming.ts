// berth bench streaming: kubectl 1.32 through `berth server` to the agent server (local-process runtime):
// exec round trip (a whole `kubectl exec -- true`, process start included) against `kubectl get pod`
// for scale, and port-forward small GET latency and 10 MiB GET time against the upstream directly.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { kubectlPath } from '../src/testing/server-process.ts';
import { startStreamingEnv } from '../src/testing/streaming-env.ts';
import { percentile } from './stats.ts';

function timedGet(port: number, path: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    }).on('error', reject);
  });
}

/** streaming runs the measurements; quick does fewer rounds. */
export default async function streaming(opts: BenchOptions): Promise<BenchReport> {
  const bin = kubectlPath(32);
  if (!bin) throw new Error('kubectl.1.32 is not installed beside the kubectl dispatcher');
  const env = await startStreamingEnv(bin);
  const rounds = opts.quick ? 10 : 30;
  try {
    const time = async (args: string[]): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const t0 = performance.now();
        const r = await env.kubectl(bin, args);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
        out.push(performance.now() - t0);
      }
      return out;
    };
    const exec = await time(['exec', 'shell', '--', 'true']);
    const getPod = await time(['get', 'pod', 'shell']);
    const child = spawn(bin, ['port-forward', 'pod/shell', ':80'], { env: env.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', () => reject(new Error(`port-forward exited: ${out}`)));
      });
      const small: number[] = [];
      const direct: number[] = [];
      const bigTimes: number[] = [];
      const directBig: number[] = [];
      for (let i = 0; i < rounds * 2; i++) small.push(await timedGet(port, '/'));
      for (let i = 0; i < rounds * 2; i++) direct.push(await timedGet(env.upstreamPort, '/'));
      for (let i = 0; i < 5; i++) bigTimes.push(await timedGet(port, '/big'));
      for (let i = 0; i < 5; i++) directBig.push(await timedGet(env.upstreamPort, '/big'));
      const figures = {
        exec_p50_ms: percentile(exec, 50),
        get_pod_p50_ms: percentile(getPod, 50),
        pf_small_get_p50_ms: percentile(small, 50),
        pf_small_get_p90_ms: percentile(small, 90),
        direct_small_get_p50_ms: percentile(direct, 50),
        pf_10mib_get_ms: percentile(bigTimes, 50),
        direct_10mib_get_ms: percentile(directBig, 50),
      };
      opts.log(`transports seen: ${[...new Set(env.sessions.map((s) => `${s.kind}/${s.transport}`))].join(', ')}`);
      return {
        title: 'Streaming through berth server (kubectl 1.32, loopback)',
        rows: [
          { name: 'kubectl exec -- true, p50', value: figures.exec_p50_ms, unit: 'ms', note: `kubectl get pod p50 ${figures.get_pod_p50_ms.toFixed(0)} ms (process start and TLS included)` },
          { name: 'port-forward small GET p50', value: figures.pf_small_get_p50_ms, unit: 'ms', note: `p90 ${figures.pf_small_get_p90_ms.toFixed(2)} ms; direct ${figures.direct_small_get_p50_ms.toFixed(2)} ms` },
          { name: 'port-forward 10 MiB GET, median of 5', value: figures.pf_10mib_get_ms, unit: 'ms', note: `direct ${figures.direct_10mib_get_ms.toFixed(1)} ms; spike (no API server hop) 34 ms` },
        ],
        figures,
      };
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    await env.close();
  }
}
