import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AgentTestRuntime } from './containerd.ts';
import type { ServerProcess } from './server-process.ts';

const berth = fileURLToPath(new URL('../../bin/berth', import.meta.url));

/** AgentProcess is a `berth agent` child process joined to a test server. */
export interface AgentProcess {
  pid: number;
  output(): string;
  /** stop sends SIGTERM (or kill's signal) and waits for the exit; the pods keep running in their shims. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** startAgentProcess runs `bin/berth agent` for a test server on a reserved runtime and waits until it says it is ready. */
export async function startAgentProcess(server: ServerProcess, rt: AgentTestRuntime, nodeName: string, extra: string[] = [], opts: { netns?: string; serverHost?: string } = {}): Promise<AgentProcess> {
  // Only an agent in its own network namespace may run the Service proxy: it programs nftables and routes.
  const args = ['agent', '--server', `https://${opts.serverHost ?? '127.0.0.1'}:${server.port}`, '--token-file', join(server.dataDir, 'token'), '--data-dir', rt.dir, '--bridge', rt.bridge, '--cgroup-root', rt.cgroupRoot, '--node-name', nodeName, '--kubelet-port', '0', ...(opts.netns ? [] : ['--disable', 'proxy']), ...extra];
  // In a network namespace (a second node), entered with nsenter: `ip netns exec` would hide the cgroup mounts from runc.
  const child: ChildProcess = opts.netns ? spawn('nsenter', [`--net=/run/netns/${opts.netns}`, '--', berth, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(berth, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      out += `${line}\n`;
      if (line.includes('node ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`berth agent exited with ${String(code)} before it was ready:\n${out}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`berth agent not ready after 90 s:\n${out}`)), 90_000).unref());
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid ?? 0,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
