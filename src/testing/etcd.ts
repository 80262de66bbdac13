import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** EtcdProcess is a throwaway etcd on loopback for tests and benchmarks. */
export interface EtcdProcess {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** freePort asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** startEtcd runs Debian's etcd on two free loopback ports with a temporary data dir, and waits until it serves. */
export async function startEtcd(): Promise<EtcdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-etcd-'));
  const client = await freePort();
  const peer = await freePort();
  const endpoint = `127.0.0.1:${client}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name', 'berth-test',
      '--data-dir', dir,
      '--listen-client-urls', `http://${endpoint}`,
      '--advertise-client-urls', `http://${endpoint}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `berth-test=http://127.0.0.1:${peer}`,
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err) => reject(new Error(`cannot start etcd (install Debian's etcd-server): ${err.message}`))),
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await Promise.race([fetch(`http://${endpoint}/health`), spawnError]);
      if (res.ok) break;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('cannot start etcd')) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, pid: child.pid ?? 0, stop };
}
