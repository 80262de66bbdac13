// berth bench inprocess-client: CPU per call of the typed client against an API server in the same
// process, as the scheduler and controllers of `berth server` use it: create, get, merge patch, and per
// watch event delivered. CPU time (process.cpuUsage), not wall time: it includes the server's work for
// the call, and varies far less than rates on a shared machine.
import type { BenchOptions, BenchReport } from '../src/cli/bench.ts';
import { Client, inProcessTransport } from '../src/client/index.ts';
import type { PodObject as Pod } from '../src/controllers/podutil/pods.ts';
import { admin, startTestApi } from '../src/testing/apiserver.ts';

function pod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'bench', labels: { app: 'bench', tier: 'web' }, annotations: { 'bench.berth.dev/note': 'x'.repeat(200) } },
    spec: {
      containers: [{ name: 'app', image: 'registry.example/app:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'MODE', value: 'bench' }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

/** runPool runs `total` tasks on `workers` concurrent loops. */
async function runPool(workers: number, total: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

/** cpuPerOp is the process's CPU microseconds per operation while run does ops operations. */
async function cpuPerOp(ops: number, run: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / ops;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** inprocessClientBenchmark measures the in-process client's CPU per call. */
export default async function inprocessClientBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  // The operations are measured in interleaved batches and each figure is the median of its batches, so
  // a burst of other load on a shared machine moves one batch rather than the result.
  const batches = quick ? 4 : 10;
  const batch = 400;
  const t = await startTestApi();
  try {
    const client = new Client(inProcessTransport(t.api, admin));
    await client.resource('v1', 'namespaces').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const pods = client.resource<Pod>('v1', 'pods');
    // Warm-up: the JIT and the caches see every path once before anything is measured.
    await runPool(8, 300, async (i) => {
      await pods.create(pod(`warm${i}`));
      await pods.get('bench', `warm${i}`);
      await pods.patch('bench', `warm${i}`, 'merge', { metadata: { labels: { seen: String(i) } } });
    });

    const samples = { create: [] as number[], get: [] as number[], patch: [] as number[], watch: [] as number[] };
    for (let b = 0; b < batches; b++) {
      const first = b * batch;
      samples.create.push(await cpuPerOp(batch, () => runPool(8, batch, (i) => pods.create(pod(`p${first + i}`)))));
      samples.get.push(await cpuPerOp(batch, () => runPool(8, batch, (i) => pods.get('bench', `p${first + ((i * 7919) % batch)}`))));
      const before = (await pods.list('bench', { limit: 1 })).metadata.resourceVersion;
      samples.patch.push(await cpuPerOp(batch, () => runPool(8, batch, (i) => pods.patch('bench', `p${first + i}`, 'merge', { metadata: { labels: { round: '1' } } }))));
      // A watch that resumes before the patches replays them from the watch cache: what is measured is
      // rendering, carrying and parsing events, not the writes.
      const rounds = 5;
      samples.watch.push(
        await cpuPerOp(rounds * batch, async () => {
          for (let r = 0; r < rounds; r++) {
            const ac = new AbortController();
            let seen = 0;
            for await (const ev of pods.watch('bench', { resourceVersion: before, signal: ac.signal })) {
              if (ev.type === 'MODIFIED') seen++;
              if (seen === batch) break;
            }
            ac.abort();
            if (seen !== batch) throw new Error(`a watch delivered ${seen} events, expected ${batch}`);
          }
        }),
      );
    }
    const create = median(samples.create);
    const get = median(samples.get);
    const patch = median(samples.patch);
    const watch = median(samples.watch);
    log(`create: ${create.toFixed(0)} µs CPU per call`);
    log(`get: ${get.toFixed(0)} µs CPU per call`);
    log(`merge patch: ${patch.toFixed(0)} µs CPU per call`);
    log(`watch: ${watch.toFixed(1)} µs CPU per event delivered`);
    return {
      title: `In-process client: CPU per call (median of ${batches} batches of ${batch} calls, 8 concurrent)`,
      rows: [
        { name: 'create', value: Math.round(create), unit: 'µs CPU/call' },
        { name: 'get', value: Math.round(get), unit: 'µs CPU/call' },
        { name: 'merge patch', value: Math.round(patch), unit: 'µs CPU/call' },
        { name: 'watch event', value: Number(watch.toFixed(1)), unit: 'µs CPU/event' },
      ],
      figures: { createUs: create, getUs: get, patchUs: patch, watchEventUs: watch },
    };
  } finally {
    await t.close();
  }
}
