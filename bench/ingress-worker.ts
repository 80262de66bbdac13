// Worker-thread roles of bench/ingress.ts, so backends, the ingress and the load generator each get an event loop.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { IngressConfig } from '../src/ingress/config.ts';
import { IngressMetrics } from '../src/ingress/metrics.ts';
import { IngressProxy } from '../src/ingress/proxy.ts';
import { selfSignedCertificate } from '../src/ingress/tls.ts';
import { runLoad, type LoadOptions } from './httpload.ts';

/** WorkerJob is what the bench asks a worker to do. */
export type WorkerJob =
  | { role: 'backends'; ips: string[] }
  | { role: 'ingress'; config: IngressConfig; port: number }
  | { role: 'load'; load: LoadOptions };

const body = Buffer.from('hello from the backend\n');

async function main(job: WorkerJob): Promise<void> {
  switch (job.role) {
    case 'backends': {
      let port = 0;
      const servers: http.Server[] = [];
      for (const ip of job.ips) {
        const s = http.createServer({ keepAliveTimeout: 120_000 }, (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
          res.end(body);
        });
        s.listen(port, ip);
        await once(s, 'listening');
        port = (s.address() as AddressInfo).port;
        servers.push(s);
      }
      parentPort?.postMessage({ port });
      parentPort?.once('message', () => {
        for (const s of servers) s.closeAllConnections(), s.close();
      });
      return;
    }
    case 'ingress': {
      const proxy = new IngressProxy({ bindAddress: '127.0.0.1', httpPort: job.port, httpsPort: null, reusePort: true, defaultCertificate: await selfSignedCertificate(), metrics: new IngressMetrics() });
      proxy.update(job.config);
      await proxy.listen();
      parentPort?.postMessage({ port: proxy.httpPort });
      parentPort?.once('message', () => void proxy.close(100));
      return;
    }
    case 'load':
      parentPort?.postMessage(await runLoad(job.load));
      return;
    default: {
      const never: never = job;
      throw new Error(`unknown job ${JSON.stringify(never)}`);
    }
  }
}

void main(workerData as WorkerJob);
