import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { eventually } from './eventually.ts';
import { freePort } from './etcd.ts';

/** TestRegistry is a throwaway plain-HTTP image registry (Debian's docker-registry) on loopback. */
export interface TestRegistry {
  /** host is "127.0.0.1:PORT", the registry part of image references. */
  host: string;
  pid: number;
  stop(): Promise<void>;
}

/** startTestRegistry runs docker-registry on a free loopback port with storage in a temp dir, and waits until it serves. */
export async function startTestRegistry(): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  writeFileSync(join(dir, 'config.yml'), [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      eventually('docker-registry', () => fetch(`http://${host}/v2/`).then((r) => (r.ok ? true : undefined)), 20_000),
      once(child, 'error').then(([err]) => Promise.reject(new Error(`cannot start docker-registry (run scripts/test, which installs it): ${String(err)}`))),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, pid: child.pid ?? 0, stop };
}
