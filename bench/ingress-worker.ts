// Worker-thread roles of bench/ingress.ts, so backends and the load generator each get an event loop (the ingress has its own threads).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad, type LoadOptions } from './httpload.ts';

/** WorkerJob is what the bench asks a worker to do. */
export type WorkerJob =
  | { role: 'backends'; ips: string[] }
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
