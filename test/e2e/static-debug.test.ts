import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocket, WebSocketServer } from 'ws';
import { CriClient } from '../../src/kubelet/cri/client.ts';
import { parsePrometheusText } from '../../src/metrics/prometheus.ts';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';
import { pollUntil } from '../../src/testing/poll.ts';

// Static pods and `kubectl debug` on real containers: `berth server` (no embedded agent) and one
// `berth agent --pod-manifest-path` on a private containerd, driven with kubectl 1.33 (and 1.27 for debug).

const busybox = 'localhost/busybox:1.35';
const minors = [27, 33].filter((m) => kubectlPath(m) !== null);
const newest = minors.at(-1);
const podUid = 'io.kubernetes.pod.uid';

describe('static pods and ephemeral containers on the node agent', { skip: newest ? false : 'no kubectl 1.33 or 1.27' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let agent: AgentProcess;
  let home: string;
  let manifests: string;
  const k = (args: string[], opts: { minor?: number; input?: string } = {}) =>
    runKubectlPatiently(kubectlPath(opts.minor ?? (newest as number)) as string, server.kubeconfig, home, args, opts.input === undefined ? {} : { input: opts.input });
  const ok = async (args: string[], opts: { minor?: number; input?: string } = {}): Promise<string> => {
    const r = await k(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const getPod = async (name: string): Promise<Pod | undefined> => {
    const r = await k(['get', 'pod', name, '-o', 'json']);
    if (r.code !== 0 && /NotFound|not found/.test(r.stderr)) return undefined;
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Pod;
  };
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    return pollUntil(what, probe, { timeoutMs, context: () => `agent output:\n${agent.output().slice(-4000)}` });
  }
  const podWhere = (name: string, pred: (p: Pod) => boolean) => waitFor(`pod ${name}`, async () => {
    const p = await getPod(name);
    return p && pred(p) ? p : undefined;
  });
  const cri = () => new CriClient({ endpoint: join(rt.dir, 'containerd', 'containerd.sock'), timeoutMs: 10_000 });
  const running = (p: Pod) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running !== undefined;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    manifests = mkdtempSync(join(tmpdir(), 'berth-manifests-'));
    writeFileSync(join(manifests, 'web.yaml'), `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: static-web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${busybox}
    command: [sh, -c, "echo static started; exec sleep 3600"]
`);
    rt = await reserveAgentRuntime();
    server = await startServer(['--cluster-cidr', rt.clusterCidr]);
    agent = await startAgentProcess(server, rt, 'node-st', ['--pod-manifest-path', manifests]);
  });
  after(async () => {
    await agent?.stop();
    await rt?.teardown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
    rmSync(manifests, { recursive: true, force: true });
  });

  describe('static pods', () => {
    let first: Pod;

    it('runs a static pod from the manifest directory, mirrored in the API as Running', async () => {
      first = await podWhere('web-node-st', running);
      const a = first.metadata?.annotations ?? {};
      assert.equal(a['kubernetes.io/config.source'], 'file');
      assert.match(a['kubernetes.io/config.hash'] ?? '', /^[0-9a-f]{32}$/);
      assert.equal(a['kubernetes.io/config.mirror'], a['kubernetes.io/config.hash']);
      assert.ok(a['kubernetes.io/config.seen']);
      assert.notEqual(first.metadata?.uid, a['kubernetes.io/config.hash']);
      const node = JSON.parse(await ok(['get', 'node', 'node-st', '-o', 'json'])) as Pod;
      assert.deepEqual(first.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-st', uid: node.metadata?.uid, controller: true }]);
      assert.match(await ok(['get', 'pods']), /web-node-st\s+1\/1\s+Running/);
      assert.equal(await ok(['logs', 'web-node-st']), 'static started\n');
      // The containers run under the static pod's uid (its hash), not the mirror's.
      const sandboxes = await cri().listPodSandbox({ labelSelector: { [podUid]: a['kubernetes.io/config.hash'] ?? '' } });
      assert.equal(sandboxes.length, 1);
    });

    it('deleting the mirror pod neither stops the static pod nor keeps the mirror away', async () => {
      const containerID = first.status?.containerStatuses?.[0]?.containerID;
      await ok(['delete', 'pod', 'web-node-st', '--wait=false']);
      const back = await podWhere('web-node-st', (p) => p.metadata?.uid !== first.metadata?.uid && !p.metadata?.deletionTimestamp && running(p));
      assert.equal(back.status?.containerStatuses?.[0]?.containerID, containerID);
      assert.equal(back.status?.containerStatuses?.[0]?.restartCount, 0);
      assert.equal(back.status?.startTime, first.status?.startTime);
    });

    it('a restarted agent keeps the static pod running', async () => {
      const before = await podWhere('web-node-st', running);
      await agent.stop();
      agent = await startAgentProcess(server, rt, 'node-st', ['--pod-manifest-path', manifests]);
      // Give the new agent a few syncs: a static pod taken for an orphan would be stopped and started again.
      await new Promise((r) => setTimeout(r, 3000));
      const after = await podWhere('web-node-st', running);
      assert.equal(after.metadata?.uid, before.metadata?.uid);
      assert.equal(after.status?.containerStatuses?.[0]?.containerID, before.status?.containerStatuses?.[0]?.containerID);
      assert.equal(after.status?.containerStatuses?.[0]?.restartCount, 0);
      assert.doesNotMatch(agent.output(), /Stopping container main|removed orphan/i);
    });

    it('a changed manifest replaces the pod and its mirror', async () => {
      writeFileSync(join(manifests, 'web.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: ${busybox}, command: [sh, -c, "echo version two; exec sleep 3600"]}
`);
      const oldHash = first.metadata?.annotations?.['kubernetes.io/config.hash'] ?? '';
      const next = await podWhere('web-node-st', (p) => (p.metadata?.annotations?.['kubernetes.io/config.mirror'] ?? oldHash) !== oldHash && running(p));
      assert.equal(await ok(['logs', 'web-node-st']), 'version two\n');
      await waitFor('old static pod gone', async () => ((await cri().listContainers({ labelSelector: { [podUid]: oldHash } })).length === 0 ? true : undefined));
      first = next;
    });

    it('removing the file stops the pod and deletes its mirror', async () => {
      const hash = first.metadata?.annotations?.['kubernetes.io/config.hash'] ?? '';
      unlinkSync(join(manifests, 'web.yaml'));
      await waitFor('mirror pod gone', async () => ((await getPod('web-node-st')) === undefined ? true : undefined));
      await waitFor('static pod stopped', async () => {
        const c = cri();
        const left = (await c.listContainers({ labelSelector: { [podUid]: hash } })).length + (await c.listPodSandbox({ labelSelector: { [podUid]: hash } })).length;
        return left === 0 ? true : undefined;
      });
    });
  });

  describe('kubectl debug (ephemeral containers)', () => {
    const ephemeral = async (pod: string, name: string) => (await getPod(pod))?.status?.ephemeralContainerStatuses?.find((e) => e.name === name);
    const debuggerName = (out: string): string => /Defaulting debug container name to (debugger-\w+)/.exec(out)?.[1] ?? assert.fail(`no debugger name in: ${out}`);
    // containerd detaches an attach's output as soon as its stdin ends (when the container's stdin is not
    // stdinOnce, as kubectl debug asks), so stdin stays open until the answer is seen, as a person would.
    async function interact(minor: number, args: string[], steps: { send: string; expect: RegExp }[]): Promise<{ code: number | null; out: string }> {
      const child = spawn(kubectlPath(minor) as string, ['--kubeconfig', server.kubeconfig, ...args], { env: { ...process.env, HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        for (const step of steps) {
          child.stdin.write(step.send);
          await waitFor(`kubectl ${args.join(' ')}: ${step.expect}`, async () => (step.expect.test(out) ? true : undefined), 60_000).catch((err: unknown) => assert.fail(`${String(err)}\nkubectl said: ${out}`));
        }
        child.stdin.end();
        const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
        assert.notEqual(code, 'timeout', `kubectl did not end: ${out}`);
        return { code: code as number | null, out };
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }

    before(async () => {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: busybox, command: ['sleep', '3600'], resources: { limits: { memory: '64Mi' } } }] } };
      await ok(['create', '-f', '-'], { input: JSON.stringify(pod) });
      await podWhere('target', running);
    });

    it('runs a debug container in the target container\'s PID namespace and keeps its logs', async () => {
      const r = await k(['debug', 'target', `--image=${busybox}`, '--target=main', '--container=ps', '--', 'sh', '-c', 'echo hi; ps']);
      assert.equal(r.code, 0, r.stderr);
      const name = 'ps';
      const st = await waitFor('debugger terminated', async () => {
        const e = await ephemeral('target', name);
        return e?.state?.terminated ? e : undefined;
      });
      assert.equal(st.state?.terminated?.exitCode, 0);
      assert.equal(st.ready, false);
      const logs = await ok(['logs', 'target', '-c', name]);
      assert.match(logs, /^hi\n/);
      // The target's process is visible: the debugger shares its PID namespace.
      assert.match(logs, /sleep 3600/);
      const events = await ok(['get', 'events', '--field-selector', 'involvedObject.name=target', '-o', 'jsonpath={range .items[*]}{.reason} {.involvedObject.fieldPath}{"\\n"}{end}']);
      assert.match(events, new RegExp(`Started spec\\.ephemeralContainers\\{${name}\\}`));
      // Never restarted, and the pod keeps running.
      const pod = await getPod('target');
      assert.equal(pod?.status?.phase, 'Running');
      assert.equal(pod?.status?.containerStatuses?.[0]?.restartCount, 0);
    });

    for (const minor of minors) {
      it(`debug -i attaches to the debug container (kubectl 1.${minor})`, async () => {
        const r = await interact(minor, ['debug', '-i', 'target', `--image=${busybox}`, '--', 'sh', '-c', 'read line; echo got $line; sleep 1'], [{ send: 'hello\n', expect: /got hello/ }]);
        assert.equal(r.code, 0, r.out);
        const name = debuggerName(r.out);
        assert.equal(await ok(['logs', 'target', '-c', name]), 'got hello\n');
      });
    }

    it('kubectl attach reaches a running debug container', async () => {
      await ok(['debug', 'target', `--image=${busybox}`, '-i', '--attach=false', '--container=shell', '--', 'sh']);
      await waitFor('shell running', async () => ((await ephemeral('target', 'shell'))?.state?.running ? true : undefined));
      const r = await interact(newest as number, ['attach', '-i', 'target', '-c', 'shell'], [{ send: 'echo attached\n', expect: /attached/ }, { send: 'exit 0\n', expect: /./ }]);
      assert.equal(r.code, 0, r.out);
      await waitFor('shell terminated', async () => ((await ephemeral('target', 'shell'))?.state?.terminated ? true : undefined));
    });
  });

  describe('the agent\'s endpoints through nodes/proxy', () => {
    // kubectl get --raw through the API server's nodes/proxy, which reaches the agent with its kubelet-client certificate.
    const agentGet = async (path: string): Promise<{ status: number; body: string }> => ({ status: 200, body: await ok(['get', '--raw', `/api/v1/nodes/node-st/proxy${path}`]) });

    it('answers with the agent\'s port named, refuses a bad id, and says when the node is unreachable', async () => {
      const node = JSON.parse(await ok(['get', 'node', 'node-st', '-o', 'json'])) as { status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } } };
      const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
      assert.equal(await ok(['get', '--raw', `/api/v1/nodes/node-st:${port}/proxy/healthz`]), 'ok');
      assert.equal(await ok(['get', '--raw', `/api/v1/nodes/https:node-st:${port}/proxy/healthz`]), 'ok');
      const bad = await k(['get', '--raw', '/api/v1/nodes/ftp:node-st:1/proxy/healthz']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /invalid node request "ftp:node-st:1"/);
      const missing = await k(['get', '--raw', '/api/v1/nodes/no-such-node/proxy/healthz']);
      assert.match(missing.stderr, /NotFound|not found/);
      // Port 1 on the node's address is closed: the dial fails and the API server says so.
      const closed = await k(['get', '--raw', '/api/v1/nodes/node-st:1/proxy/']);
      assert.notEqual(closed.code, 0);
      assert.match(closed.stderr, /error trying to reach service: .*ECONNREFUSED/);
      const resources = JSON.parse(await ok(['get', '--raw', '/api/v1'])) as { resources: { name: string; kind: string; verbs: string[] }[] };
      assert.deepEqual(resources.resources.find((r) => r.name === 'nodes/proxy'), { name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
    });

    it('carries a WebSocket from kubectl proxy through nodes/proxy to a server on the node', async () => {
      const node = JSON.parse(await ok(['get', 'node', 'node-st', '-o', 'json'])) as { status: { addresses: { type: string; address: string }[] } };
      const ip = node.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? assert.fail('node-st has no InternalIP');
      const wss = new WebSocketServer({ host: ip, port: 0 });
      await once(wss, 'listening');
      const paths: string[] = [];
      wss.on('connection', (sock, req) => {
        paths.push(req.url ?? '');
        sock.on('message', (data, binary) => sock.send(binary ? data : `echo: ${String(data)}`));
      });
      const proxy = spawn(kubectlPath(newest as number) as string, ['proxy', '--port=0', '--kubeconfig', server.kubeconfig], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        proxy.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const port = await waitFor('kubectl proxy serving', async () => /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
        const { port: wsPort } = wss.address() as { port: number };
        const client = new WebSocket(`ws://127.0.0.1:${port}/api/v1/nodes/http:node-st:${wsPort}/proxy/echo?x=1`);
        await once(client, 'open');
        client.send('hello');
        const [reply] = (await once(client, 'message')) as [Buffer];
        assert.equal(String(reply), 'echo: hello');
        client.close();
        assert.deepEqual(paths, ['/echo?x=1']);
      } finally {
        proxy.kill();
        await new Promise<void>((r) => wss.close(() => r()));
      }
    });

    it('/metrics/cadvisor has the pod\'s container series with cAdvisor\'s labels and its memory limit', async () => {
      const r = await agentGet('/metrics/cadvisor');
      assert.equal(r.status, 200, r.body);
      const samples = parsePrometheusText(r.body).filter((x) => x.labels.pod === 'target' && x.labels.container === 'main');
      const one = (name: string) => samples.find((x) => x.name === name) ?? assert.fail(`no ${name} for target/main in:\n${r.body.slice(0, 3000)}`);
      const cpu = one('container_cpu_usage_seconds_total');
      assert.equal(cpu.labels.namespace, 'default');
      assert.equal(cpu.labels.image, busybox);
      assert.match(cpu.labels.id ?? '', /^\/[^/]+\/pod[0-9a-f-]+\/[0-9a-f]{64}$/);
      assert.equal(cpu.labels.name, cpu.labels.id?.split('/').at(-1));
      assert.ok(one('container_memory_working_set_bytes').value > 0);
      assert.ok(one('container_memory_usage_bytes').value > 0);
      assert.equal(one('container_spec_memory_limit_bytes').value, 64 * 1024 * 1024);
    });

    it('/metrics has the agent\'s own gauges', async () => {
      const r = await agentGet('/metrics');
      assert.equal(r.status, 200, r.body);
      const samples = parsePrometheusText(r.body);
      assert.equal(samples.find((x) => x.name === 'kubelet_node_name')?.labels.node, 'node-st');
      assert.ok((samples.find((x) => x.name === 'kubelet_running_pods')?.value ?? 0) >= 1);
      assert.ok((samples.find((x) => x.name === 'kubelet_running_containers' && x.labels.container_state === 'running')?.value ?? 0) >= 1);
    });
  });
});
