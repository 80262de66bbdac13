import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CriClient } from '../../src/kubelet/cri/client.ts';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';
import { pollUntil } from '../../src/testing/poll.ts';

const kubectl = kubectlPath(32);
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const busybox = 'localhost/busybox:1.35';

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)));
    req.on('error', reject);
  });
}

/** gpuSkip is why the GPU test cannot run here, or false on a machine with an NVIDIA GPU. */
function gpuSkip(): string | false {
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
  return r.status === 0 && /GPU \d+:/.test(r.stdout) ? false : 'no NVIDIA GPU on this machine (nvidia-smi -L lists none)';
}

const podManifest = (name: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { terminationGracePeriodSeconds: 1, ...spec } });
const container = (name: string, command: string, extra: Record<string, unknown> = {}) => ({ name, image: busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', command], ...extra });

// Real pods on real containerd: berth server (without its embedded agent) plus one `berth agent` process on
// a private containerd, driven with kubectl 1.32. One server and agent serve every test of the file.
describe('pods on the node agent', { skip: kubectl ? false : 'kubectl.1.32 is not installed' }, () => {
  let server: ServerProcess;
  let rt: AgentTestRuntime;
  let agent: AgentProcess;
  let home: string;
  const k = (args: string[], input?: string) => runKubectlPatiently(kubectl as string, server.kubeconfig, home, args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await k(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const getPod = async (name: string): Promise<Pod> => JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod;
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    return pollUntil(what, probe, { timeoutMs, context: () => `agent output:\n${agent.output().slice(-4000)}` });
  }
  const podWhere = (name: string, pred: (p: Pod) => boolean, timeoutMs?: number) => waitFor(`pod ${name}`, async () => {
    const p = await getPod(name);
    return pred(p) ? p : undefined;
  }, timeoutMs);
  const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const events = async (name: string) => ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
  const cri = () => new CriClient({ endpoint: join(rt.dir, 'containerd', 'containerd.sock'), timeoutMs: 10_000 });

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    rt = await reserveAgentRuntime();
    server = await startServer(['--cluster-cidr', rt.clusterCidr]);
    agent = await startAgentProcess(server, rt, 'node-a');
    await waitFor('node Ready', async () => ((await ok(['get', 'node', 'node-a', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True' ? true : undefined));
  });
  after(async () => {
    await agent?.stop();
    await rt?.teardown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('runs the WAR example: an init container fills an emptyDir that the web container serves on the pod IP', async () => {
    await ok(['apply', '-f', join(examples, 'war-init-container.yaml')]);
    const p = await podWhere('war-web', isReady);
    assert.equal(p.status?.phase, 'Running');
    assert.equal(p.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    assert.match(p.status?.containerStatuses?.[0]?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);
    assert.equal(await httpGet(`http://${p.status?.podIP}:8080/`), 'hello from the war\n');
    // The same through the API server's pods/proxy and services/proxy (kubectl get --raw), as `kubectl proxy` users reach pods.
    assert.equal(await ok(['get', '--raw', '/api/v1/namespaces/default/pods/war-web/proxy/']), 'hello from the war\n');
    assert.equal(await ok(['get', '--raw', '/api/v1/namespaces/default/pods/http:war-web:8080/proxy/index.html']), 'hello from the war\n');
    await ok(['expose', 'pod', 'war-web', '--name', 'war', '--port', '80', '--target-port', '8080']);
    const viaService = await waitFor('services/proxy answers', async () => {
      const r = await k(['get', '--raw', '/api/v1/namespaces/default/services/war:80/proxy/']);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.equal(viaService, 'hello from the war\n');
    const wrongPort = await k(['get', '--raw', '/api/v1/namespaces/default/services/war:81/proxy/']);
    assert.match(wrongPort.stderr, /no service port 81 found for service "war"/);
    await ok(['delete', 'service', 'war']);
    const ev = await events('war-web');
    for (const want of ['Pulled: Container image "localhost/busybox:1.35" already present on machine', 'Created: Created container: unpack', 'Started: Started container web']) assert.ok(ev.includes(want), ev);
  });

  it('runs the log-collector example: a native sidecar follows the app\'s log on a shared volume', async () => {
    await ok(['apply', '-f', join(examples, 'log-collector-sidecar.yaml')]);
    const p = await podWhere('app-with-log-collector', isReady);
    const sidecar = p.status?.initContainerStatuses?.[0];
    assert.ok(sidecar?.state?.running && sidecar.started, JSON.stringify(sidecar));
    const log = join(rt.dir, 'pods', `default_app-with-log-collector_${p.metadata?.uid}`, 'log-collector', '0.log');
    await waitFor('the sidecar prints the app\'s lines', async () => (existsSync(log) && /stdout F app line \d+/.test(readFileSync(log, 'utf8')) ? true : undefined));
  });

  it('runs the proxy example: a sidecar reaches the app over localhost', async () => {
    await ok(['apply', '-f', join(examples, 'proxy-sidecar.yaml')]);
    const p = await podWhere('app-with-proxy', isReady);
    assert.equal(await httpGet(`http://${p.status?.podIP}:8080/cgi-bin/app`), 'hello from the app behind the proxy\n');
  });

  it('holds Ready back until the readiness probe passes', async () => {
    const probe = { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 };
    await ok(['create', '-f', '-'], podManifest('gated', { containers: [container('app', 'sleep 4; touch /tmp/ready; exec sleep 3600', { readinessProbe: probe })] }));
    const notReady = await podWhere('gated', (p) => p.status?.phase === 'Running');
    const cond = notReady.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(cond?.status, 'False');
    assert.equal(cond?.reason, 'ContainersNotReady');
    await podWhere('gated', isReady);
  });

  it('restarts a container whose liveness probe fails, with the upstream event', async () => {
    const probe = { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 };
    await ok(['create', '-f', '-'], podManifest('liveness', { containers: [container('app', 'touch /tmp/alive; sleep 2; rm /tmp/alive; exec sleep 3600', { livenessProbe: probe })] }));
    const p = await podWhere('liveness', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    assert.ok(p.status?.containerStatuses?.[0]?.lastState?.terminated, JSON.stringify(p.status?.containerStatuses));
    // Events are written asynchronously by the agent's event broadcaster: wait for the Killing one.
    let ev = '';
    for (let i = 0; i < 60 && !ev.includes('Killing: Container app failed liveness probe, will be restarted'); i++) {
      ev = await events('liveness');
      if (!ev.includes('Killing:')) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(ev.includes('Killing: Container app failed liveness probe, will be restarted'), ev);
    assert.ok(ev.includes('Unhealthy: Liveness probe failed:'), ev);
  });

  it('reports a memory hog as OOMKilled', async () => {
    const resources = { limits: { memory: '16Mi' } };
    await ok(['create', '-f', '-'], podManifest('hog', { containers: [container('hog', 'dd if=/dev/zero of=/dev/null bs=64M count=1', { resources })] }));
    const p = await podWhere('hog', (x) => {
      const s = x.status?.containerStatuses?.[0];
      return (s?.lastState?.terminated ?? s?.state?.terminated)?.reason === 'OOMKilled';
    });
    const s = p.status?.containerStatuses?.[0];
    assert.equal((s?.lastState?.terminated ?? s?.state?.terminated)?.exitCode, 137);
  });

  it('reports a missing configMap key as CreateContainerConfigError', async () => {
    const env = [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }];
    await ok(['create', '-f', '-'], podManifest('badref', { containers: [container('app', 'sleep 3600', { env })] }));
    const p = await podWhere('badref', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    assert.equal(p.status?.containerStatuses?.[0]?.state?.waiting?.message, 'configmap "absent" not found');
    assert.equal(p.status?.phase, 'Pending');
  });

  it('runs a Job to completion and a Deployment of 3 replicas', async () => {
    await ok(['create', 'job', 'once', '--image', busybox, '--', 'sh', '-c', 'echo done']);
    const template = { metadata: { labels: { app: 'web3' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: busybox, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }] } };
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web3' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web3' } }, template } }));
    await waitFor('job complete', async () => ((await ok(['get', 'job', 'once', '-o', 'jsonpath={.status.conditions[?(@.type=="Complete")].status}'])) === 'True' ? true : undefined));
    await waitFor('3 ready replicas', async () => ((await ok(['get', 'deployment', 'web3', '-o', 'jsonpath={.status.readyReplicas}'])) === '3' ? true : undefined));
    const ips = (await ok(['get', 'pods', '-l', 'app=web3', '-o', 'jsonpath={.items[*].status.podIP}'])).split(' ');
    assert.equal(new Set(ips).size, 3);
    for (const ip of ips) assert.match(await httpGet(`http://${ip}:8080/`), /./);
  });

  it('keeps a PersistentVolumeClaim\'s data after its pod is gone', async () => {
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } } };
    await ok(['create', '-f', '-'], JSON.stringify(claim));
    const withClaim = (name: string, command: string) => podManifest(name, { restartPolicy: 'Never', containers: [container('app', command, { volumeMounts: [{ name: 'data', mountPath: '/data' }] })], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] });
    await ok(['create', '-f', '-'], withClaim('writer', 'echo kept across pods > /data/note'));
    await podWhere('writer', (p) => p.status?.phase === 'Succeeded');
    await ok(['delete', 'pod', 'writer']);
    await ok(['create', '-f', '-'], withClaim('reader', 'cat /data/note'));
    await podWhere('reader', (p) => p.status?.phase === 'Succeeded');
    assert.equal(await ok(['logs', 'reader']), 'kept across pods\n');
    assert.equal(await ok(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}']), 'Bound');
    await ok(['delete', 'pod', 'reader']);
    await ok(['delete', 'pvc', 'data']);
  });

  it('runs nvidia-smi in a pod that requests a GPU', { skip: gpuSkip() }, async () => {
    await ok(['create', '-f', '-'], podManifest('gpu', { restartPolicy: 'Never', containers: [container('smi', 'nvidia-smi', { resources: { limits: { 'nvidia.com/gpu': '1' } } })] }));
    await podWhere('gpu', (p) => p.status?.phase === 'Succeeded');
  });

  it('stops a terminating pod within a shorter grace period given by a second delete, and at once on a force delete', async () => {
    // sleep as PID 1 ignores SIGTERM: only the grace period's SIGKILL stops these containers.
    const stubborn = { terminationGracePeriodSeconds: 600, containers: [container('app', 'exec sleep 3600')] };
    await ok(['create', '-f', '-'], podManifest('stubborn', stubborn));
    await ok(['create', '-f', '-'], podManifest('stubborn-force', stubborn));
    const uids = await Promise.all(['stubborn', 'stubborn-force'].map(async (n) => (await podWhere(n, (p) => p.status?.phase === 'Running')).metadata?.uid ?? ''));
    await ok(['delete', 'pod', 'stubborn', 'stubborn-force', '--wait=false']);
    const c = cri();
    try {
      const running = async (uid: string) => (await c.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).filter((x) => x.state === 'CONTAINER_RUNNING').length;
      // The first delete's 600 s are in force: the containers keep running.
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(await Promise.all(uids.map(running)), [1, 1]);
      await ok(['delete', 'pod', 'stubborn', '--grace-period=2', '--wait=false']);
      await ok(['delete', 'pod', 'stubborn-force', '--grace-period=0', '--force']);
      await waitFor('both stopped long before 600 s', async () => ((await Promise.all(uids.map(running))).every((n) => n === 0) ? true : undefined), 60_000);
      await waitFor('stubborn deleted', async () => ((await k(['get', 'pod', 'stubborn', '-o', 'name'])).code !== 0 ? true : undefined), 60_000);
    } finally {
      c.close();
    }
  });

  it('does not restart containers when the agent (and its containerd) restart', async () => {
    const before = await getPod('war-web');
    await agent.stop();
    agent = await startAgentProcess(server, rt, 'node-a');
    // Give the new agent time to sync every pod at least once.
    await new Promise((r) => setTimeout(r, 3000));
    const afterRestart = await podWhere('war-web', isReady);
    const was = before.status?.containerStatuses?.[0];
    const now = afterRestart.status?.containerStatuses?.[0];
    assert.equal(now?.containerID, was?.containerID);
    assert.equal(now?.state?.running?.startedAt, was?.state?.running?.startedAt);
    assert.equal(now?.restartCount, was?.restartCount);
  });

  it('leaves no container, sandbox, cgroup, log directory or network namespace behind when pods are deleted', async () => {
    await ok(['delete', 'deployment', 'web3']);
    await ok(['delete', 'job', 'once', '--cascade=foreground']);
    await ok(['delete', 'pods', '--all', '--grace-period=1']);
    await waitFor('no pods left', async () => ((await ok(['get', 'pods', '-o', 'name'])).trim() === '' ? true : undefined));
    const c = cri();
    try {
      await waitFor('CRI empty', async () => ((await c.listPodSandbox()).length === 0 && (await c.listContainers()).length === 0 ? true : undefined), 30_000);
    } finally {
      c.close();
    }
    const leftCgroups = readdirSync('/sys/fs/cgroup').flatMap((h) => {
      const d = join('/sys/fs/cgroup', h, rt.cgroupRoot);
      return existsSync(d) ? readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('pod')).map((e) => join(d, e.name)) : [];
    });
    assert.deepEqual(leftCgroups, []);
    assert.deepEqual(readdirSync(join(rt.dir, 'pods')), []);
    const netns = join(rt.dir, 'containerd', 'state', 'io.containerd.grpc.v1.cri', 'netns');
    assert.deepEqual(existsSync(netns) ? readdirSync(netns) : [], []);
  });
});
