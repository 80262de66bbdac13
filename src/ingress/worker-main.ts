// The entry of one data-plane worker thread of IngressWorkerPool: an IngressProxy sharing the pool's ports
// (SO_REUSEPORT), serving the routing configuration the pool posts, and reporting metrics and access-log lines
// back in batches (the registry and the log live in the main thread).
import { parentPort, workerData } from 'node:worker_threads';
import { ObservationBuffer } from './metrics.ts';
import { IngressProxy } from './proxy.ts';
import type { ToWorker, FromWorker, WorkerInit } from './workers.ts';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('worker-main.ts runs as a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);
const observations = init.metrics ? new ObservationBuffer() : null;
let lines: string[] = [];
const proxy = new IngressProxy({
  ...init.options,
  reusePort: true,
  metrics: observations,
  accessLog: init.accessLog ? (line) => lines.push(line) : null,
  log: (message) => post({ type: 'log', message }),
});
proxy.update(init.config);

const flush = (): void => {
  const batch = observations?.drain();
  if (batch && (batch.series.length > 0 || batch.pods.length > 0)) post({ type: 'metrics', batch });
  if (lines.length > 0) {
    post({ type: 'access', lines });
    lines = [];
  }
};
const timer = setInterval(flush, init.flushMs);

port.on('message', (m: ToWorker) => {
  if (m.type === 'update') {
    proxy.update(m.config);
    post({ type: 'updated', generation: m.generation });
  } else {
    void proxy.close(m.graceMs).then(() => {
      clearInterval(timer);
      flush();
      post({ type: 'closed' });
    });
  }
});

proxy.listen().then(
  () => post({ type: 'listening', httpPort: proxy.httpPort, httpsPort: proxy.httpsPort }),
  (err: unknown) => {
    clearInterval(timer);
    void proxy.close(0).then(() => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  },
);
