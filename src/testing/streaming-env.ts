import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeCredentials } from '../kubelet/bootstrap.ts';
import { formatCriLine } from '../kubelet/logs/cri-format.ts';
import { AgentServer, type SessionInfo } from '../kubelet/server.ts';
import { LocalProcessRuntime } from './local-runtime.ts';
import { runKubectl, startServer, type KubectlResult, type ServerProcess } from './server-process.ts';

// A `berth server` with one registered node whose agent HTTPS server runs a LocalProcessRuntime: pods
// `shell` (container main, log files 0.log and 1.log), `multi` (a, b), `gone` (not running) and
// `pending` (unscheduled); pod port 80 leads to a local HTTP server (`/` small, `/big` 10 MiB).

/** StreamingEnv is the running environment for streaming tests and benchmarks. */
export interface StreamingEnv {
  server: ServerProcess;
  agent: AgentServer;
  runtime: LocalProcessRuntime;
  sessions: SessionInfo[];
  home: string;
  work: string;
  logRoot: string;
  /** shellLogDir holds the `shell` pod's main container logs. */
  shellLogDir: string;
  upstreamPort: number;
  big: Buffer;
  kubectl(bin: string, args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<KubectlResult>;
  /** env is the environment for spawning kubectl directly. */
  env(): Record<string, string>;
  close(): Promise<number | null>;
}

/** startStreamingEnv starts the server, the agent and the pods, using kubectl binary bin for set-up. */
export async function startStreamingEnv(bin: string): Promise<StreamingEnv> {
  const server = await startServer();
  const home = mkdtempSync(join(tmpdir(), 'berth-stream-home-'));
  const work = mkdtempSync(join(tmpdir(), 'berth-stream-work-'));
  const logRoot = join(work, 'logs');
  const big = randomBytes(10 << 20);
  const upstream: Server = createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
      return;
    }
    res.end('hello from the pod\n');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamPort = (upstream.address() as { port: number }).port;
  const runtime = new LocalProcessRuntime({ containers: ['default/shell/main'], ports: { 80: upstreamPort }, cwd: work });
  const sessions: SessionInfo[] = [];
  const node = 'stream-node';
  const token = readFileSync(join(server.dataDir, 'token'), 'utf8').trim();
  const creds = await ensureNodeCredentials({ server: `https://127.0.0.1:${server.port}`, token, nodeName: node, addresses: ['127.0.0.1'], dir: join(work, 'agent') });
  const agent = new AgentServer({ key: creds.servingKeyPem, cert: creds.servingCertPem, ca: creds.caPem, runtime, logRoot, onSession: (s) => sessions.push(s) });
  const agentPort = await agent.listen(0, '127.0.0.1');
  const kubectl = (b: string, args: string[], opts: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<KubectlResult> => runKubectl(b, server.kubeconfig, home, args, opts);
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(bin, args, input === undefined ? {} : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node } }));
  await ok(['patch', 'node', node, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agentPort } } } })]);
  const pod = (name: string, containers: string[], nodeName?: string): string =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: containers.map((c) => ({ name: c, image: 'busybox', stdin: true })) } });
  for (const p of [pod('shell', ['main'], node), pod('multi', ['a', 'b'], node), pod('gone', ['main'], node), pod('pending', ['main'])]) await ok(['create', '-f', '-'], p);
  for (const name of ['shell', 'multi', 'gone']) await ok(['patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running' } })]);
  const uid = (await ok(['get', 'pod', 'shell', '-o', 'jsonpath={.metadata.uid}'])).trim();
  const shellLogDir = join(logRoot, `default_shell_${uid}`, 'main');
  mkdirSync(shellLogDir, { recursive: true });
  writeFileSync(join(shellLogDir, '0.log'), formatCriLine(new Date(Date.now() - 60_000), 'stdout', 'from the previous start'));
  writeFileSync(join(shellLogDir, '1.log'), ['one', 'two', 'three'].map((t) => formatCriLine(new Date(), t === 'two' ? 'stderr' : 'stdout', t)).join(''));
  return {
    server,
    agent,
    runtime,
    sessions,
    home,
    work,
    logRoot,
    shellLogDir,
    upstreamPort,
    big,
    kubectl,
    env: () => ({ PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: server.kubeconfig, KUBECACHEDIR: join(home, 'cache') }),
    async close() {
      await agent.close();
      upstream.close();
      const code = await server.stop();
      rmSync(home, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
      return code;
    },
  };
}
