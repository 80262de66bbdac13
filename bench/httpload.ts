// A lean HTTP/1.1 keep-alive load generator on raw sockets: each connection sends one request, waits for the
// whole response (Content-Length or chunked), and sends the next. Cheap enough per request that the system under
// test, not the generator, is the bottleneck.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.ts';

/** LoadOptions say where to send what, for how long, over how many connections. */
export interface LoadOptions {
  host: string;
  port: number;
  hostHeader: string;
  path: string;
  connections: number;
  durationMs: number;
  /** warmupMs is run first and not counted. */
  warmupMs?: number;
}

/** LoadResult is what one run measured. */
export interface LoadResult {
  requests: number;
  /** allRequests counts every response, warm-up included (to divide a server's CPU time by). */
  allRequests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** statuses counts responses by status code. */
  statuses: Record<number, number>;
}

const headerEnd = Buffer.from('\r\n\r\n');
const chunkedEnd = Buffer.from('0\r\n\r\n');

/** runLoad drives the target with closed-loop keep-alive connections and reports requests/s and latency percentiles. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const request = Buffer.from(`GET ${opts.path} HTTP/1.1\r\nHost: ${opts.hostHeader}\r\nUser-Agent: berth-bench\r\n\r\n`);
  const warmupEnd = performance.now() + (opts.warmupMs ?? 0);
  const end = warmupEnd + opts.durationMs;
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let counted = 0;
  let all = 0;

  const connection = (): Promise<void> => new Promise<void>((resolve) => {
    const sock = net.connect(opts.port, opts.host);
    sock.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    let need = -1; // body bytes still expected after the header (-2: chunked)
    let bodyStart = 0;
    let status = 0;
    const send = (): void => {
      if (performance.now() >= end) {
        sock.end();
        return;
      }
      sentAt = performance.now();
      sock.write(request);
    };
    const finish = (): void => {
      const now = performance.now();
      all++;
      if (sentAt >= warmupEnd) {
        latencies.push(now - sentAt);
        statuses[status] = (statuses[status] ?? 0) + 1;
        counted++;
      }
      send();
    };
    sock.on('connect', send);
    sock.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      for (;;) {
        if (need === -1) {
          const he = buf.indexOf(headerEnd);
          if (he < 0) return;
          const head = buf.toString('latin1', 0, he).toLowerCase();
          status = Number(head.slice(9, 12));
          const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
          bodyStart = he + 4;
          need = cl ? Number(cl[1]) : head.includes('transfer-encoding: chunked') ? -2 : 0;
        }
        if (need === -2) {
          const ce = buf.indexOf(chunkedEnd, bodyStart);
          if (ce < 0) return;
          buf = buf.subarray(ce + chunkedEnd.length);
        } else {
          if (buf.length - bodyStart < need) return;
          buf = buf.subarray(bodyStart + need);
        }
        need = -1;
        finish();
        if (buf.length === 0) return;
      }
    });
    sock.on('error', () => {
      errors++;
    });
    sock.on('close', () => resolve());
  });

  await Promise.all(Array.from({ length: opts.connections }, connection));
  const seconds = opts.durationMs / 1000;
  return { requests: counted, allRequests: all, errors, rps: counted / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), statuses };
}
