// berth bench inprocess-client: CPU per call of the typed client against an API server in the same
// process, as the scheduler and controllers of `berth server` use it: create, get, merge patch, and per
// watch event delivered. CPU time (process.cpuUsage), not wall time: it includes the server's work for
// the call, and varies far less than rates on a shared machine.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { toWebResponse, type ApiResponse } from '../src/apiserver/message.ts';
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

// A full collection before each measurement, so that one phase's garbage is not collected in the next.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** cpuPerOp is the process's CPU microseconds per operation while run does ops operations. */
async function cpuPerOp(ops: number, run: () => Promise<unknown>): Promise<number> {
  // Work the previous phase left queued (cache fan-out, timers) finishes before the clock starts.
  await new Promise((r) => setTimeout(r, 20));
  collect();
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

/**
 * stubServer answers every request at once with one pod, so what a call costs is the transport and the
 * client's JSON alone. It offers handle as well as respond, so this benchmark runs against either contract.
 */
function stubServer(): { respond(req: { bytes(): Promise<Uint8Array> }): Promise<ApiResponse>; handle(req: Request): Promise<Response> } {
  const answer = new TextEncoder().encode(JSON.stringify({ ...pod('stub'), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] } }));
  return {
    async respond(req) {
      await req.bytes();
      return { status: 201, headers: { 'content-type': 'application/json', 'content-length': String(answer.byteLength) }, body: answer };
    },
    async handle(req) {
      return toWebResponse(await this.respond(req));
    },
  };
}

/** inprocessClientBenchmark measures the in-process client's CPU per call. */
export default async function inprocessClientBenchmark({ quick, log }: BenchOptions): Promise<BenchReport> {
  // The operations are measured in interleaved batches and each figure is the median of its batches, so
  // a burst of other load on a shared machine moves one batch rather than the result. Writes are measured
  // one at a time and 8 at a time: concurrent writes share SQLite commits, so their CPU per write depends
  // on how many arrive together, which hides what a call itself costs.
  const batches = quick ? 4 : 8;
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
    const stubPods = new Client(inProcessTransport(stubServer(), admin)).resource<Pod>('v1', 'pods');

    const samples = new Map<string, number[]>();
    const sample = async (name: string, ops: number, run: () => Promise<unknown>): Promise<void> => {
      const us = await cpuPerOp(ops, run);
      samples.set(name, [...(samples.get(name) ?? []), us]);
    };
    let made = 0;
    for (let b = 0; b < batches; b++) {
      for (const workers of [1, 8]) {
        const first = made;
        made += batch;
        await sample(`create, ${workers} at a time`, batch, () => runPool(workers, batch, (i) => pods.create(pod(`p${first + i}`))));
        await sample(`get, ${workers} at a time`, batch, () => runPool(workers, batch, (i) => pods.get('bench', `p${first + ((i * 7919) % batch)}`)));
        const before = (await pods.list('bench', { limit: 1 })).metadata.resourceVersion;
        await sample(`merge patch, ${workers} at a time`, batch, () => runPool(workers, batch, (i) => pods.patch('bench', `p${first + i}`, 'merge', { metadata: { labels: { round: '1' } } })));
        if (workers !== 8) continue;
        // A watch that resumes before the patches replays them from the watch cache: what is measured is
        // rendering, carrying and parsing events, not the writes.
        const rounds = 5;
        await sample('watch event', rounds * batch, async () => {
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
        });
      }
      await sample('create, stub server', batch, () => runPool(8, batch, () => stubPods.create(pod('stub'))));
      await sample('get, stub server', batch, () => runPool(8, batch, () => stubPods.get('bench', 'stub')));
    }
    const rows = [...samples].map(([name, xs]) => {
      const us = median(xs);
      log(`${name}: ${us.toFixed(1)} µs CPU`);
      return { name, value: Number(us.toFixed(1)), unit: name === 'watch event' ? 'µs CPU/event' : 'µs CPU/call', ...(name.endsWith('stub server') ? { note: 'transport and client JSON only' } : {}) };
    });
    return {
      title: `In-process client: CPU per call (median of ${batches} batches of ${batch} calls)`,
      rows,
      figures: Object.fromEntries(rows.map((r) => [r.name.replace(/[^a-z0-9]+/g, '_') + '_us', r.value])),
    };
  } finally {
    await t.close();
  }
}
