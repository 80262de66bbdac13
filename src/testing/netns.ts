import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { netnsRunner, type CommandRunner } from '../proxy/exec.ts';
import type { SocketBinder } from '../proxy/health/http.ts';

// A scratch node in network namespaces, for tests that need the real kernel: a "node" netns with a bridge
// (10.42.0.1/24, like the CNI bridge), "pods" as netns on veths with small HTTP servers, and an outside
// "client" netns on a second link (the node's address there is its node IP). Nothing touches the host's own
// network namespace; cleanup kills the servers by PID and deletes the namespaces (and with them every link).

let counter = 0;

/** LabPod is a pod-like netns on the node's bridge. */
export interface LabPod {
  name: string;
  netns: string;
  ip: string;
}

/** NetnsLab is one scratch node. */
export interface NetnsLab {
  /** node is the node's netns; runner runs commands in it. */
  node: string;
  runner: CommandRunner;
  nodeIP: string;
  /** client is a netns outside the node, at clientIP, routed through the node. */
  client: string;
  clientIP: string;
  addPod(name: string): Promise<LabPod>;
  /** serve starts an HTTP server in a netns answering "<name> <client address>" on port. */
  serve(netns: string, name: string, port: number): Promise<void>;
  /** get makes n requests (a new connection each) from a netns and returns each body, or "ERR <code>". */
  get(netns: string, url: string, n: number, timeoutMs?: number): Promise<string[]>;
  /** request makes one HTTP GET from a netns and returns the status and body ("ERR <code>" as the body, status 0, when it fails). */
  request(netns: string, url: string, timeoutMs?: number): Promise<{ status: number; body: string }>;
  /** binder opens listening sockets inside a netns for servers of this process (a helper binds and hands the socket over). */
  binder(netns: string): SocketBinder;
  /** spawnIn starts node with a script inside a netns (killed at cleanup). */
  spawnIn(netns: string, script: string, args: string[]): ChildProcess;
  cleanup(): Promise<void>;
}

/** netnsAvailable tells whether this process may create network namespaces (root with ip and nft present). */
export function netnsAvailable(): boolean {
  return process.getuid?.() === 0;
}

/** startNetnsLab creates the node and client namespaces. */
export async function startNetnsLab(): Promise<NetnsLab> {
  const id = `bx${process.pid % 100000}${(counter++).toString(36)}`;
  const node = `${id}n`;
  const client = `${id}c`;
  const namespaces: string[] = [];
  const children = new Set<ChildProcess>();
  const runner = netnsRunner(node);
  const ip = (...args: string[]): Promise<string> => exec('ip', args);
  const addNs = async (name: string): Promise<void> => {
    await ip('netns', 'add', name);
    namespaces.push(name);
    await ip('-n', name, 'link', 'set', 'lo', 'up');
  };
  const lab: NetnsLab = {
    node,
    runner,
    nodeIP: '192.168.77.1',
    client,
    clientIP: '192.168.77.2',
    async addPod(name) {
      const netns = `${id}p${namespaces.length}`;
      const podIP = `10.42.0.${namespaces.length + 1}`;
      await addNs(netns);
      const host = `vp${namespaces.length}`;
      await ip('-n', node, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
      await ip('-n', node, 'link', 'set', host, 'master', 'br0', 'up');
      // Hairpin lets a pod reach itself through a Service (the bridge sends the frame back out its port).
      await ip('-n', node, 'link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on');
      await ip('-n', netns, 'addr', 'add', `${podIP}/24`, 'dev', 'eth0');
      await ip('-n', netns, 'link', 'set', 'eth0', 'up');
      await ip('-n', netns, 'route', 'add', 'default', 'via', '10.42.0.1');
      return { name, netns, ip: podIP };
    },
    async serve(netns, name, port) {
      const child = lab.spawnIn(netns, serverScript, [name, String(port)]);
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`server ${name} exited with ${code}`)));
        child.stdout?.once('data', () => resolve());
      });
    },
    async get(netns, url, n, timeoutMs = 2000) {
      const child = lab.spawnIn(netns, clientScript, [url, String(n), String(timeoutMs)]);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return out.split('\n').filter((l) => l !== '');
    },
    async request(netns, url, timeoutMs = 2000) {
      const child = lab.spawnIn(netns, requestScript, [url, String(timeoutMs)]);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      await new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return JSON.parse(out) as { status: number; body: string };
    },
    binder(netns) {
      return async (server, host, port) => {
        const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', bindScript, host, String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        children.add(child);
        child.once('exit', () => children.delete(child));
        const [msg, handle] = await new Promise<[{ error?: string }, Server | undefined]>((resolve, reject) => {
          child.once('message', (m: { error?: string }, h: unknown) => resolve([m, h as Server | undefined]));
          child.once('exit', (code) => reject(new Error(`bind helper exited with ${code}`)));
        });
        if (msg.error || !handle) throw Object.assign(new Error(`listen ${msg.error ?? 'failed'}: ${host}:${port}`), { code: msg.error });
        // The socket is this process's now (the helper closes its copy and exits): the server listens on it.
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(handle, () => {
            server.off('error', reject);
            resolve();
          });
        });
      };
    },
    spawnIn(netns, script, args) {
      const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async cleanup() {
      for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
      await Promise.all([...children].map((c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())))));
      for (const ns of namespaces.reverse()) await ip('netns', 'del', ns).catch(() => {});
    },
  };
  try {
    await addNs(node);
    await addNs(client);
    await ip('-n', node, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', node, 'addr', 'add', '10.42.0.1/24', 'dev', 'br0');
    await ip('-n', node, 'link', 'set', 'br0', 'up');
    await ip('-n', node, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client);
    await ip('-n', node, 'addr', 'add', `${lab.nodeIP}/24`, 'dev', 'eth0');
    await ip('-n', node, 'link', 'set', 'eth0', 'up');
    await ip('-n', client, 'addr', 'add', `${lab.clientIP}/24`, 'dev', 'eth0');
    await ip('-n', client, 'link', 'set', 'eth0', 'up');
    await ip('-n', client, 'route', 'add', 'default', 'via', lab.nodeIP);
    await runner.run('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
    // Pod-to-Service-to-pod on one bridge needs bridged frames to pass netfilter (on by default in a new netns).
    await runner.run('sysctl', ['-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
  } catch (err) {
    await lab.cleanup();
    throw err;
  }
  return lab;
}

const serverScript = `
const [name, port] = process.argv.slice(1);
require('node:http').createServer((req, res) => res.end(name + ' ' + req.socket.remoteAddress)).listen(Number(port), '0.0.0.0', () => console.log('ready'));
`;

const requestScript = `
const [url, timeout] = process.argv.slice(1);
const req = require('node:http').get(url, { agent: false, timeout: Number(timeout) }, (res) => {
  let body = ''; res.on('data', (d) => (body += d)); res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body })));
});
req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
req.on('error', (e) => console.log(JSON.stringify({ status: 0, body: 'ERR ' + (e.code || e.message) })));
`;

// Binds host:port in the netns it runs in and sends the listening socket to its parent over IPC.
const bindScript = `
const [host, port] = process.argv.slice(1);
const s = require('node:net').createServer();
s.on('error', (e) => process.send({ error: e.code || e.message }, () => process.disconnect()));
s.listen({ host, port: Number(port), exclusive: true }, () => process.send({}, s, () => { s.close(); process.disconnect(); }));
`;

const clientScript = `
const [url, n, timeout] = process.argv.slice(1);
const http = require('node:http');
const one = () => new Promise((resolve) => {
  const req = http.get(url, { agent: false, timeout: Number(timeout) }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); });
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
  req.on('error', (e) => resolve('ERR ' + (e.code || e.message)));
});
(async () => { for (let i = 0; i < Number(n); i++) console.log(await one()); })();
`;

function exec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: ${err.trim()}`))));
  });
}
