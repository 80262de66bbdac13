import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { emptyConfig, type IngressConfig } from './config.ts';
import type { IngressMetrics, ObservationBatch } from './metrics.ts';
import type { IngressProxyOptions } from './proxy.ts';
import { RoutingTable } from './routing.ts';

/** DataPlane is what the controller drives: an IngressProxy in its own thread, or a pool of them in worker threads. */
export interface DataPlane {
  update(config: IngressConfig): void;
  /** applied resolves once every listener serves the latest update. */
  applied(): Promise<void>;
  readonly table: RoutingTable;
  listen(): Promise<void>;
  close(graceMs?: number): Promise<void>;
  readonly httpPort: number;
  readonly httpsPort: number;
}

/** WorkerInit is what a data-plane thread starts with (worker-main.ts). */
export interface WorkerInit {
  options: Omit<IngressProxyOptions, 'metrics' | 'accessLog' | 'random' | 'clock' | 'log' | 'reusePort'>;
  config: IngressConfig;
  metrics: boolean;
  accessLog: boolean;
  flushMs: number;
}

/** ToWorker are the pool's messages to a data-plane thread. */
export type ToWorker = { type: 'update'; config: IngressConfig; generation: number } | { type: 'close'; graceMs: number };

/** FromWorker are a data-plane thread's messages to the pool. */
export type FromWorker =
  | { type: 'listening'; httpPort: number; httpsPort: number }
  | { type: 'error'; message: string }
  | { type: 'updated'; generation: number }
  | { type: 'metrics'; batch: ObservationBatch }
  | { type: 'access'; lines: string[] }
  | { type: 'log'; message: string }
  | { type: 'closed' };

/** IngressWorkerPoolOptions are IngressProxy's options (without in-thread hooks) and how many threads to run. */
export type IngressWorkerPoolOptions = WorkerInit['options'] & {
  workers: number;
  metrics?: IngressMetrics | null;
  accessLog?: ((line: string) => void) | null;
  log?: (msg: string) => void;
  /** flushMs is how often threads report metrics and access-log lines (default 250). */
  flushMs?: number;
};

/** defaultIngressWorkers is one data-plane thread per core the process may use (nginx's `auto`), at most 16: each thread has its own heap. */
export function defaultIngressWorkers(): number {
  return Math.min(16, Math.max(1, availableParallelism()));
}

interface Thread {
  worker: Worker;
  generation: number;
  closed: Promise<void>;
}

const workerFile = new URL('./worker-main.ts', import.meta.url);

/**
 * IngressWorkerPool runs the data plane in `workers` threads, each an IngressProxy listening on the same ports
 * with SO_REUSEPORT so the kernel spreads client connections over them (nginx's worker processes, in threads).
 * update() posts each new configuration to every thread; metrics and access-log lines come back in batches.
 */
export class IngressWorkerPool implements DataPlane {
  readonly #opts: IngressWorkerPoolOptions;
  readonly #threads: Thread[] = [];
  #config = emptyConfig();
  #table = new RoutingTable(emptyConfig());
  #generation = 0;
  #httpPort = 0;
  #httpsPort = 0;
  #waiters: (() => void)[] = [];

  constructor(opts: IngressWorkerPoolOptions) {
    this.#opts = opts;
  }

  /** table is the routing table the threads serve (compiled here too, for inspection). */
  get table(): RoutingTable {
    return this.#table;
  }

  get httpPort(): number {
    return this.#httpPort;
  }

  get httpsPort(): number {
    return this.#httpsPort;
  }

  /** threads is how many data-plane threads listen. */
  get threads(): number {
    return this.#threads.length;
  }

  /** update posts a new configuration to every thread; applied() resolves once all have swapped it in. */
  update(config: IngressConfig): void {
    this.#config = config;
    this.#table = new RoutingTable(config, this.#table);
    this.#generation++;
    for (const t of this.#threads) t.worker.postMessage({ type: 'update', config, generation: this.#generation } satisfies ToWorker);
  }

  /** applied resolves when every thread serves the latest update. */
  applied(): Promise<void> {
    if (this.#allApplied()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** listen starts the threads: the first binds the ports (0 picks free ones), the others join them. */
  async listen(): Promise<void> {
    try {
      const first = await this.#start(this.#opts.httpPort, this.#opts.httpsPort);
      this.#httpPort = first.httpPort;
      this.#httpsPort = first.httpsPort;
      const httpsPort = this.#opts.httpsPort === null ? null : first.httpsPort;
      await Promise.all(Array.from({ length: Math.max(0, this.#opts.workers - 1) }, () => this.#start(first.httpPort, httpsPort)));
    } catch (err) {
      await this.close(0);
      throw err;
    }
  }

  /** cpuUsage is the CPU time (user + system, µs) the data-plane threads have used so far (benchmarks divide it by requests). */
  async cpuUsage(): Promise<number> {
    const usage = await Promise.all(this.#threads.map((t) => t.worker.cpuUsage()));
    return usage.reduce((sum, u) => sum + u.user + u.system, 0);
  }

  /** close stops every thread, letting in-flight requests finish for up to graceMs. */
  async close(graceMs = 5_000): Promise<void> {
    for (const t of this.#threads) t.worker.postMessage({ type: 'close', graceMs } satisfies ToWorker);
    await Promise.all(this.#threads.map((t) => t.closed));
    this.#threads.length = 0;
  }

  #allApplied(): boolean {
    return this.#threads.every((t) => t.generation === this.#generation);
  }

  #start(httpPort: number, httpsPort: number | null): Promise<{ httpPort: number; httpsPort: number }> {
    const o = this.#opts;
    const init: WorkerInit = {
      options: {
        bindAddress: o.bindAddress,
        httpPort,
        httpsPort,
        defaultCertificate: o.defaultCertificate,
        ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
        ...(o.readTimeoutMs !== undefined ? { readTimeoutMs: o.readTimeoutMs } : {}),
        ...(o.maxTries !== undefined ? { maxTries: o.maxTries } : {}),
        ...(o.clientKeepAliveMs !== undefined ? { clientKeepAliveMs: o.clientKeepAliveMs } : {}),
      },
      config: this.#config,
      metrics: !!o.metrics,
      accessLog: !!o.accessLog,
      flushMs: o.flushMs ?? 250,
    };
    const worker = new Worker(workerFile, { workerData: init });
    let closedResolve!: () => void;
    const thread: Thread = { worker, generation: this.#generation, closed: new Promise((r) => (closedResolve = r)) };
    this.#threads.push(thread);
    worker.once('exit', () => closedResolve());
    return new Promise((resolve, reject) => {
      // A thread that dies takes its sockets with it; the kernel sends new connections to the others.
      worker.on('error', (err) => {
        o.log?.(`ingress: data-plane thread failed: ${err.message}`);
        reject(err);
      });
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'listening':
            resolve({ httpPort: m.httpPort, httpsPort: m.httpsPort });
            return;
          case 'error':
            reject(new Error(m.message));
            return;
          case 'updated':
            thread.generation = m.generation;
            if (this.#allApplied()) for (const w of this.#waiters.splice(0)) w();
            return;
          case 'metrics':
            o.metrics?.record(m.batch);
            return;
          case 'access':
            for (const line of m.lines) o.accessLog?.(line);
            return;
          case 'log':
            o.log?.(m.message);
            return;
          case 'closed':
            void worker.terminate();
            return;
        }
      });
    });
  }
}
