import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CriClient } from '../../src/kubelet/cri/client.ts';
import { startAgentProcess, type AgentProcess } from '../../src/testing/agent-process.ts';
import { reserveAgentRuntime, type AgentTestRuntime } from '../../src/testing/containerd.ts';
import { netnsAvailable } from '../../src/testing/netns.ts';
import { kubectlPath, runKubectlPatiently, startServer, type ServerProcess } from '../../src/testing/server-process.ts';
import { startUnderlay, type Underlay } from '../../src/testing/underlay.ts';
import { pollUntil } from '../../src/testing/poll.ts';

const kubectl = kubectlPath(32);
const busybox = 'localhost/busybox:1.35';

// Two real nodes on one machine: `berth server` with its embedded agent (node1, proxy on) in one network
// namespace and a `berth agent` (node2) in another, each with its own containerd, joined by a veth bridge in a
// third namespace (src/testing/underlay.ts). Nodes have no default route, so no pod or Service address can leave.
// Pods talk across nodes through the agents' host-gw routes; each node runs its own Service proxy and
// NetworkPolicy enforcer. Requests run inside pods through CRI ExecSync (busybox wget).

// A web pod serves its name on / and the caller's address on /cgi-bin/ip.
const webScript = (name: string): string => [
  'mkdir -p /tmp/w/cgi-bin',
  `echo ${name} > /tmp/w/index.html`,
  `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /tmp/w/cgi-bin/ip`,
  'chmod +x /tmp/w/cgi-bin/ip',
  'exec httpd -f -p 8080 -h /tmp/w',
].join(' && ');

const webPod = (name: string, nodeName: string) => JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'web', name } },
  spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: busybox, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', webScript(name)] }] },
});

const skipUnlessTwoNodes = { skip: !netnsAvailable() ? 'needs root for network namespaces' : kubectl ? false : 'kubectl.1.32 is not installed' };

/** twoNodes registers the before and after hooks of a two-node cluster whose nodes both get nodeFlags, and returns its handles. */
function twoNodes(nodeFlags: string[]) {
  let ul: Underlay;
  let rt1: AgentTestRuntime;
  let rt2: AgentTestRuntime;
  let server: ServerProcess;
  let agent: AgentProcess;
  let home: string;
  const pods = new Map<string, { ip: string; container: string; rt: () => AgentTestRuntime }>();

  const node1 = () => ul.nodes[0]!;
  const node2 = () => ul.nodes[1]!;
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await runKubectlPatiently('nsenter', server.kubeconfig, home, [`--net=/run/netns/${node1().netns}`, '--', kubectl as string, ...args], input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    return pollUntil(what, probe, { timeoutMs, context: () => `server:\n${server?.output().slice(-3000)}\nagent:\n${agent?.output().slice(-3000)}` });
  }
  /** fetch runs wget inside a pod and returns the body, or "ERR <exit code>". */
  async function fetch(from: string, url: string): Promise<string> {
    const p = pods.get(from);
    assert.ok(p, `pod ${from} not started`);
    const cri = new CriClient({ endpoint: join(p.rt().dir, 'containerd', 'containerd.sock'), timeoutMs: 20_000 });
    try {
      const r = await cri.execSync(p.container, ['sh', '-c', `timeout 3 wget -q -O - ${url}`], 10);
      return r.exitCode === 0 ? Buffer.from(r.stdout).toString().trim() : `ERR ${r.exitCode}`;
    } finally {
      cri.close();
    }
  }
  /** exec runs a shell command in a pod and returns its output, or "ERR <exit code>: <stderr>". */
  async function exec(from: string, command: string): Promise<string> {
    const p = pods.get(from);
    assert.ok(p, `pod ${from} not started`);
    const cri = new CriClient({ endpoint: join(p.rt().dir, 'containerd', 'containerd.sock'), timeoutMs: 20_000 });
    try {
      const r = await cri.execSync(p.container, ['sh', '-c', command], 10);
      return r.exitCode === 0 ? Buffer.from(r.stdout).toString() : `ERR ${r.exitCode}: ${Buffer.from(r.stderr).toString()}${Buffer.from(r.stdout).toString()}`;
    } finally {
      cri.close();
    }
  }
  async function startWeb(name: string, nodeName: string, rt: () => AgentTestRuntime): Promise<void> {
    await ok(['create', '-f', '-'], webPod(name, nodeName));
    const p = await waitFor(`pod ${name} ready`, async () => {
      const pod = JSON.parse(await ok(['get', 'pod', name, '-o', 'json'])) as Pod;
      return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? pod : undefined;
    });
    pods.set(name, { ip: p.status?.podIP ?? '', container: (p.status?.containerStatuses?.[0]?.containerID ?? '').replace('containerd://', ''), rt });
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-'));
    ul = await startUnderlay(2);
    rt1 = await reserveAgentRuntime();
    rt2 = await reserveAgentRuntime();
    const n1 = node1();
    server = await startServer(
      ['--bind-address', '0.0.0.0', '--tls-san', n1.ip, '--cluster-cidr', rt1.clusterCidr, '--node-name', 'node1', '--node-ip', n1.ip, '--bridge', rt1.bridge, '--cgroup-root', rt1.cgroupRoot,
        // The cluster DNS on node1's address, so pods on both nodes reach it through kube-dns (10.43.0.10); its
        // upstream is a loopback port where nothing answers (the namespaces have no default route anyway).
        '--dns-bind-address', n1.ip, '--dns-port', '53', '--dns-upstream', '127.0.0.1:9', ...nodeFlags],
      rt1.dir,
      { agent: true, netns: n1.netns, proxy: true },
    );
    agent = await startAgentProcess(server, rt2, 'node2', ['--node-ip', node2().ip, '--cluster-cidr', rt1.clusterCidr, ...nodeFlags], { netns: node2().netns, serverHost: n1.ip });
  });
  after(async () => {
    await agent?.stop();
    await server?.stop();
    await rt2?.teardown();
    await rt1?.teardown();
    // Every node took back its routes, tunnel and proxy tables at stop (deleting the namespaces would hide a leak).
    const left: string[] = [];
    for (const n of ul?.nodes ?? []) {
      for (const proto of ['190', '191']) {
        const routes = await ul.ip('-n', n.netns, '-4', 'route', 'show', 'table', 'all', 'proto', proto).catch((err: unknown) => String(err));
        if (routes.trim()) left.push(`${n.netns}: proto ${proto} routes ${routes.trim()}`);
      }
      const tables = await ul.ip('netns', 'exec', n.netns, 'nft', 'list', 'tables').catch((err: unknown) => String(err));
      if (/berth-proxy|berth-netpol/.test(tables)) left.push(`${n.netns}: ${tables.trim()}`);
      const tunnel = await ul.ip('-n', n.netns, 'link', 'show', 'dev', 'flannel.1').catch(() => '');
      if (tunnel) left.push(`${n.netns}: ${tunnel.trim()}`);
    }
    await ul?.cleanup();
    rmSync(home, { recursive: true, force: true });
    assert.deepEqual(left, []);
  });
  return {
    get ul(): Underlay {
      return ul;
    },
    get rt1(): AgentTestRuntime {
      return rt1;
    },
    get rt2(): AgentTestRuntime {
      return rt2;
    },
    get agent(): AgentProcess {
      return agent;
    },
    pods,
    node1,
    node2,
    ok,
    waitFor,
    fetch,
    exec,
    startWeb,
  };
}

describe('two nodes: pod network, Services and NetworkPolicy across nodes', skipUnlessTwoNodes, () => {
  const c = twoNodes([]);

  it('has both nodes Ready, each with a pod CIDR', async () => {
    for (const n of ['node1', 'node2']) {
      await c.waitFor(`${n} Ready`, async () => ((await c.ok(['get', 'node', n, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True' ? true : undefined));
    }
    const cidrs = (await c.ok(['get', 'nodes', '-o', 'jsonpath={.items[*].spec.podCIDR}'])).split(' ');
    assert.equal(new Set(cidrs).size, 2);
  });

  it('routes each node\'s pod CIDR to the other (host-gw)', async () => {
    const cidr = async (n: string) => c.ok(['get', 'node', n, '-o', 'jsonpath={.spec.podCIDR}']);
    const [c1, c2] = [await cidr('node1'), await cidr('node2')];
    await c.waitFor('routes on both nodes', async () => {
      const r1 = await c.ul.ip('-n', c.node1().netns, '-4', 'route', 'show', 'proto', '191');
      const r2 = await c.ul.ip('-n', c.node2().netns, '-4', 'route', 'show', 'proto', '191');
      return r1.includes(`${c2} via ${c.node2().ip}`) && r2.includes(`${c1} via ${c.node1().ip}`) ? true : undefined;
    });
  });

  it('runs a pod on each node, and each reaches the other by pod IP with its source address kept', async () => {
    await c.startWeb('web1', 'node1', () => c.rt1);
    await c.startWeb('web2', 'node2', () => c.rt2);
    const [w1, w2] = [c.pods.get('web1')!, c.pods.get('web2')!];
    assert.notEqual(w1.ip.split('.').slice(0, 3).join('.'), w2.ip.split('.').slice(0, 3).join('.'));
    assert.equal(await c.fetch('web1', `http://${w2.ip}:8080/`), 'web2');
    assert.equal(await c.fetch('web2', `http://${w1.ip}:8080/`), 'web1');
    // No masquerade between pods: each sees the other's pod IP.
    const seenBy = async (from: string, ip: string) => (await c.fetch(from, `http://${ip}:8080/cgi-bin/ip`)).replace(/^\[(::ffff:)?|\]$/g, '');
    assert.equal(await seenBy('web1', w2.ip), w1.ip);
    assert.equal(await seenBy('web2', w1.ip), w2.ip);
  });

  it('serves a ClusterIP Service with endpoints on both nodes to pods on both nodes', async () => {
    await c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    const vip = await c.ok(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    for (const from of ['web1', 'web2']) {
      const seen = new Set<string>();
      await c.waitFor(`${from} reaches both endpoints through ${vip}`, async () => {
        seen.add(await c.fetch(from, `http://${vip}/`));
        return seen.has('web1') && seen.has('web2') ? true : undefined;
      });
    }
  });

  it('resolves the Service\'s name from pods on both nodes through the cluster DNS on node1', async () => {
    const vip = await c.ok(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    for (const from of ['web1', 'web2']) {
      // busybox's nslookup has its own resolver (the static wget cannot resolve names without NSS libraries).
      const out = await c.waitFor(`${from} resolves web`, async () => {
        const r = await c.exec(from, 'nslookup web.default.svc.cluster.local');
        if (!r.includes(vip)) throw new Error(r);
        return r;
      });
      assert.match(out, new RegExp(`Address:\\s+${vip.replaceAll('.', '\\.')}`));
    }
  });

  it('spreads a Deployment\'s pods across both nodes, all running', async () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'spread' },
      spec: {
        replicas: 4, selector: { matchLabels: { app: 'spread' } },
        template: {
          metadata: { labels: { app: 'spread' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }],
            containers: [{ name: 'app', image: 'localhost/busybox:1.35', command: ['sleep', '3600'] }],
          },
        },
      },
    };
    await c.ok(['apply', '-f', '-'], JSON.stringify(deployment));
    await c.waitFor('4 available', async () => ((await c.ok(['get', 'deployment', 'spread', '-o', 'jsonpath={.status.availableReplicas}'])) === '4' ? true : undefined));
    const nodes = (await c.ok(['get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}'])).trim().split('\n').sort();
    assert.deepEqual(nodes, ['node1 Running', 'node1 Running', 'node2 Running', 'node2 Running']);
    await c.ok(['delete', 'deployment', 'spread']);
  });

  it('enforces a NetworkPolicy on node2: blocked, then allowed', async () => {
    const w2 = c.pods.get('web2')!;
    const policy = (name: string, ingress: unknown[]) => JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec: { podSelector: { matchLabels: { name: 'web2' } }, policyTypes: ['Ingress'], ingress } });
    await c.ok(['create', '-f', '-'], policy('deny-web2', []));
    await c.waitFor('web1 blocked from web2', async () => ((await c.fetch('web1', `http://${w2.ip}:8080/`)).startsWith('ERR') ? true : undefined));
    await c.ok(['create', '-f', '-'], policy('allow-web1', [{ from: [{ podSelector: { matchLabels: { name: 'web1' } } }] }]));
    await c.waitFor('web1 allowed to web2', async () => ((await c.fetch('web1', `http://${w2.ip}:8080/`)) === 'web2' ? true : undefined));
    await c.ok(['delete', 'networkpolicy', 'deny-web2', 'allow-web1']);
  });

  it('removes deleted pods from both nodes, CNI state included', async () => {
    const runtimes = [c.rt1, c.rt2];
    const sandboxes: string[] = [];
    for (const rt of runtimes) {
      const cri = new CriClient({ endpoint: join(rt.dir, 'containerd', 'containerd.sock'), timeoutMs: 20_000 });
      try {
        sandboxes.push(...(await cri.listPodSandbox()).map((sb) => sb.id));
      } finally {
        cri.close();
      }
    }
    assert.equal(sandboxes.length, 2);
    await c.ok(['delete', 'pods', '--all', '--grace-period=1']);
    for (const rt of runtimes) {
      const cri = new CriClient({ endpoint: join(rt.dir, 'containerd', 'containerd.sock'), timeoutMs: 20_000 });
      try {
        await c.waitFor('no sandboxes left', async () => ((await cri.listPodSandbox()).length === 0 ? true : undefined));
      } finally {
        cri.close();
      }
    }
    const cache = existsSync('/var/lib/cni/results') ? readdirSync('/var/lib/cni/results') : [];
    assert.deepEqual(cache.filter((f) => sandboxes.some((id) => f.includes(id))), []);
  });

  it('removes the agent\'s proxy tables and pod routes when it stops', async () => {
    const stopped = await Promise.race([c.agent.stop(), new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
    assert.equal(stopped, 0, `berth agent did not stop:\n${c.agent.output().slice(-4000)}`);
    const tables = await c.ul.ip('netns', 'exec', c.node2().netns, 'nft', 'list', 'tables').catch((err: unknown) => String(err));
    assert.doesNotMatch(tables, /berth-proxy|berth-netpol/);
    assert.equal((await c.ul.ip('-n', c.node2().netns, '-4', 'route', 'show', 'table', 'all', 'proto', '191')).trim(), '');
    assert.equal((await c.ul.ip('-n', c.node2().netns, '-4', 'route', 'show', 'table', 'all', 'proto', '190')).trim(), '');
    assert.ok(existsSync(`/run/netns/${c.node2().netns}`));
  });
});

// The same two nodes with flannel's VXLAN backend (--flannel-backend vxlan on both): pods cross nodes through
// flannel.1, and no route leads to the other node's pods through its address.
describe('two nodes with the vxlan backend: pods reach each other through the tunnel', skipUnlessTwoNodes, () => {
  const c = twoNodes(['--flannel-backend', 'vxlan']);
  const tunnelPackets = async (netns: string): Promise<{ tx: number; rx: number }> => {
    const [l] = JSON.parse(await c.ul.ip('-n', netns, '-j', '-s', 'link', 'show', 'dev', 'flannel.1')) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[];
    return { tx: l?.stats64.tx.packets ?? 0, rx: l?.stats64.rx.packets ?? 0 };
  };

  it('publishes each node\'s VTEP and routes the other\'s pod CIDR through flannel.1', async () => {
    for (const n of ['node1', 'node2']) {
      await c.waitFor(`${n} Ready`, async () => ((await c.ok(['get', 'node', n, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True' ? true : undefined));
    }
    const cidr = async (n: string) => c.ok(['get', 'node', n, '-o', 'jsonpath={.spec.podCIDR}']);
    const [c1, c2] = [await cidr('node1'), await cidr('node2')];
    const base = (cidr: string): string => cidr.split('/')[0] ?? '';
    await c.waitFor('tunnel routes on both nodes', async () => {
      const r1 = await c.ul.ip('-n', c.node1().netns, '-4', 'route', 'show', 'proto', '191');
      const r2 = await c.ul.ip('-n', c.node2().netns, '-4', 'route', 'show', 'proto', '191');
      return r1.trim() === `${c2} via ${base(c2)} dev flannel.1 onlink` && r2.trim() === `${c1} via ${base(c1)} dev flannel.1 onlink` ? true : undefined;
    });
    const annotations = JSON.parse(await c.ok(['get', 'node', 'node2', '-o', 'jsonpath={.metadata.annotations}'])) as Record<string, string>;
    assert.equal(annotations['flannel.alpha.coreos.com/backend-type'], 'vxlan');
    assert.equal(annotations['flannel.alpha.coreos.com/public-ip'], c.node2().ip);
    const mac = (JSON.parse(annotations['flannel.alpha.coreos.com/backend-data'] ?? '{}') as { VtepMAC?: string }).VtepMAC;
    assert.match(await c.ul.ip('-n', c.node1().netns, 'neigh', 'show', 'dev', 'flannel.1'), new RegExp(`^${base(c2)} lladdr ${mac} PERMANENT`));
  });

  it('runs a pod on each node, and each reaches the other by pod IP through the tunnel with its source address kept', async () => {
    await c.startWeb('web1', 'node1', () => c.rt1);
    await c.startWeb('web2', 'node2', () => c.rt2);
    const [w1, w2] = [c.pods.get('web1')!, c.pods.get('web2')!];
    const before = [await tunnelPackets(c.node1().netns), await tunnelPackets(c.node2().netns)];
    assert.equal(await c.fetch('web1', `http://${w2.ip}:8080/`), 'web2');
    assert.equal(await c.fetch('web2', `http://${w1.ip}:8080/`), 'web1');
    assert.equal((await c.fetch('web1', `http://${w2.ip}:8080/cgi-bin/ip`)).replace(/^\[(::ffff:)?|\]$/g, ''), w1.ip);
    const after = [await tunnelPackets(c.node1().netns), await tunnelPackets(c.node2().netns)];
    for (const i of [0, 1]) assert.ok(after[i]!.tx > before[i]!.tx && after[i]!.rx > before[i]!.rx, `node${i + 1} flannel.1 ${JSON.stringify([before[i], after[i]])}`);
    // Pods get the tunnel's MTU: the underlay's 1500 less VXLAN's 50.
    assert.equal((await c.exec('web1', 'cat /sys/class/net/eth0/mtu')).trim(), '1450');
  });

  it('serves a ClusterIP Service with an endpoint behind the tunnel', async () => {
    await c.ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    const vip = await c.ok(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const seen = new Set<string>();
    await c.waitFor(`web1 reaches both endpoints through ${vip}`, async () => {
      seen.add(await c.fetch('web1', `http://${vip}/`));
      return seen.has('web1') && seen.has('web2') ? true : undefined;
    });
  });

  it('removes the tunnel when the agent stops', async () => {
    await c.ok(['delete', 'pods', '--all', '--grace-period=1']);
    assert.equal(await c.agent.stop(), 0, `berth agent did not stop:\n${c.agent.output().slice(-4000)}`);
    await assert.rejects(c.ul.ip('-n', c.node2().netns, 'link', 'show', 'dev', 'flannel.1'));
    assert.equal((await c.ul.ip('-n', c.node2().netns, '-4', 'route', 'show', 'table', 'all', 'proto', '191')).trim(), '');
  });
});
