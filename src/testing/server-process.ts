import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './etcd.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));

/** ServerProcess is a `berth server` child process on a throwaway data directory. */
export interface ServerProcess {
  dataDir: string;
  port: number;
  kubeconfig: string;
  pid: number;
  /** output holds what the server printed (stdout and stderr). */
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * startServer runs `bin/berth server` on a free loopback port and waits until it prints its KUBECONFIG line.
 * The server runs without its node agent (no containerd in every test) unless opts.agent is set.
 */
export async function startServer(args: string[] = [], dataDir?: string, opts: { agent?: boolean; netns?: string; proxy?: boolean; ingress?: { httpPort: number; httpsPort: number } } = {}): Promise<ServerProcess> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'berth-e2e-'));
  const port = await freePort();
  // The cluster DNS listens on a free loopback port unless the test says otherwise (later flags win); test servers
  // never program the host's nftables and routes nor take ports 80/443 (many run at once; proxy tests use network
  // namespaces, ingress tests an in-process control plane); they run no node agent unless asked (`agent: true`).
  const dnsDefaults = ['--dns-bind-address', '127.0.0.1', '--dns-port', '0'];
  // A server in its own network namespace (opts.netns, entered with nsenter so cgroups stay visible) may run the
  // proxy (opts.proxy): its tables and routes are that namespace's.
  const argv = ['server', '--data-dir', dir, '--bind-address', '127.0.0.1', '--port', String(port), ...dnsDefaults, ...(opts.netns && opts.proxy ? [] : ['--disable', 'proxy']), ...(opts.ingress ? ['--ingress-bind-address', '127.0.0.1', '--ingress-http-port', String(opts.ingress.httpPort), '--ingress-https-port', String(opts.ingress.httpsPort)] : ['--disable', 'ingress']), ...(opts.agent ? ['--kubelet-port', '0'] : ['--disable-agent']), ...args];
  const child: ChildProcess = opts.netns ? spawn('nsenter', [`--net=/run/netns/${opts.netns}`, '--', berth, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(berth, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let kubeconfig = '';
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      out += `${line}\n`;
      const m = /export KUBECONFIG=(\S+)/.exec(line);
      if (m) {
        kubeconfig = m[1] as string;
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`berth server exited with ${String(code)} before it was ready:\n${out}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`berth server not ready after 60 s:\n${out}`)), 60_000).unref());
  await Promise.race([ready, timeout]);
  return {
    dataDir: dir,
    port,
    kubeconfig,
    pid: child.pid ?? 0,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** kubectlPath finds `kubectl.1.NN` beside the kubectl dispatcher on PATH, or null. */
export function kubectlPath(minor: number): string | null {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  const dispatcher = which.stdout.trim();
  if (!dispatcher) return null;
  const p = join(dirname(realpathSync(dispatcher)), `kubectl.1.${minor}`);
  return existsSync(p) ? p : null;
}

/** KubectlResult is what one kubectl run printed and returned. */
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** runKubectl runs a given kubectl binary against a kubeconfig with an isolated HOME and cache. */
export function runKubectl(bin: string, kubeconfig: string, home: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, {
      env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(home, 'cache'), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * runKubectlPatiently is runKubectl that tries again (up to 3 times) when kubectl could not reach the
 * server at all, as happens on an overloaded test machine (TLS handshake timeout); no request was made then.
 */
export async function runKubectlPatiently(bin: string, kubeconfig: string, home: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> {
  for (let attempt = 1; ; attempt++) {
    const r = await runKubectl(bin, kubeconfig, home, args, opts);
    if (r.code === 0 || attempt >= 3 || !/Unable to connect to the server/.test(r.stderr)) return r;
  }
}
