import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CriClient } from '../kubelet/cri/client.ts';
import { removePods } from '../kubelet/runtime/reset.ts';
import type { CriInput, PodSandboxConfig } from '../kubelet/cri/types.ts';
import { buildTestImages, type TestImage } from '../kubelet/images/build.ts';
import { importImageArchive } from '../kubelet/images/import.ts';
import {
  deleteLink,
  iptablesChains,
  killShims,
  linkExists,
  mountsUnder,
  processAlive,
  removeCgroupTree,
  removeCniCache,
  removeEmptyChains,
  shimPids,
  terminateProcess,
  unmountUnder,
} from '../kubelet/runtime/cleanup.ts';
import { containerdLayout, type NetworkOptions } from '../kubelet/runtime/config.ts';
import { ContainerdSupervisor, runningContainerd } from '../kubelet/runtime/containerd.ts';
import { guardTable, removeEgressGuard, subnetClash } from '../kubelet/runtime/network.ts';

// A private containerd per test suite, in a temp dir, with its own bridge and /24, torn down to nothing.
//
// Network safety: pods get no egress. The bridge does not masquerade and an nftables guard drops
// everything forwarded from the bridge to another interface, so a test pod can reach only the host and
// pods on its own bridge, never the default route. Tests target pod IPs and loopback only.

/** TestContainerd is a running private containerd with the test images imported. */
export interface TestContainerd {
  dir: string;
  endpoint: string;
  cri: CriClient;
  supervisor: ContainerdSupervisor;
  network: NetworkOptions;
  /** cgroupRoot is the top cgroup (in every hierarchy) this suite's pods go under, e.g. "berth-test-1a2b". */
  cgroupRoot: string;
  images: TestImage[];
  /** sandboxConfig returns a pod sandbox config with a fresh uid, a log directory and a cgroup parent. */
  sandboxConfig(name: string): CriInput<PodSandboxConfig> & { logDirectory: string };
  /** teardown removes every pod, stops containerd and removes what it left (idempotent). */
  teardown(): Promise<void>;
  /** leftovers lists what teardown failed to remove (empty when clean). */
  leftovers(): Promise<string[]>;
}

/** TestRuntimeRecord is what a suite's runtime needs to be torn down, kept in its dir for sweeping it after a crash. */
interface TestRuntimeRecord {
  owner: number;
  /** stateDir is containerd's state directory under the runtime's dir ("c" for startTestContainerd). */
  stateDir?: string;
  network: NetworkOptions;
  cgroupRoot: string;
  chainsBefore: { nat: string[]; filter: string[] };
}

const recordFile = 'berth-test.json';
const dirPrefix = '/tmp/berth-ctrd-';
const ipForwardMarker = '/tmp/berth-ip_forward-was-off';

/** startTestContainerd starts a private containerd in a temp dir and imports the pause and busybox images. */
export async function startTestContainerd(opts: { log?: (m: string) => void; plainHttpRegistries?: string[] } = {}): Promise<TestContainerd> {
  await sweepAbandoned();
  const id = randomBytes(3).toString('hex');
  // Short path: containerd's sockets live inside and unix socket paths are limited to 107 bytes.
  const dir = mkdtempSync(dirPrefix);
  const record: TestRuntimeRecord = {
    owner: process.pid,
    network: { networkName: `berth-t${id}`, bridge: `bt${id}`, subnet: freeSubnet(), podEgress: false },
    cgroupRoot: `berth-test-${id}`,
    chainsBefore: { nat: await iptablesChains('nat'), filter: await iptablesChains('filter') },
  };
  writeFileSync(join(dir, recordFile), JSON.stringify(record));
  // Suites overlap, so the value before the first of them is kept in one file that the last one restores.
  if (readIpForward() === '0' && !existsSync(ipForwardMarker)) writeFileSync(ipForwardMarker, '0\n');
  const { network, cgroupRoot } = record;
  const supervisor = new ContainerdSupervisor({ stateDir: join(dir, 'c'), network, log: opts.log, plainHttpRegistries: opts.plainHttpRegistries });
  const stop = new AbortController();
  const running = supervisor.start(stop.signal);
  running.catch(() => {});
  const cri = new CriClient({ endpoint: supervisor.endpoint, timeoutMs: 60_000 });
  let tornDown = false;

  const teardown = async (): Promise<void> => {
    if (tornDown) return;
    tornDown = true;
    cri.close();
    const sandboxIds = await removePods(supervisor.endpoint, () => {});
    stop.abort();
    await running.catch(() => {});
    await removeTestRuntime(dir, record, sandboxIds);
  };

  try {
    await supervisor.ready;
    const images = buildTestImages(join(dir, 'images'));
    for (const img of images) await importImageArchive(supervisor.endpoint, img.file);
    return {
      dir,
      endpoint: supervisor.endpoint,
      cri,
      supervisor,
      network,
      cgroupRoot,
      images,
      sandboxConfig: (name) => {
        const uid = `${id}-${randomBytes(6).toString('hex')}`;
        const logDirectory = join(dir, 'pods', `default_${name}_${uid}`);
        mkdirSync(logDirectory, { recursive: true });
        return {
          metadata: { name, uid, namespace: 'default', attempt: 0 },
          hostname: name,
          logDirectory,
          labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.uid': uid },
          linux: {
            cgroupParent: `/${cgroupRoot}/pod${uid}`,
            securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
          },
        };
      },
      teardown,
      leftovers: async () => {
        const left: string[] = [];
        if (existsSync(dir)) left.push(`directory ${dir}`);
        for (const m of mountsUnder(dir)) left.push(`mount ${m}`);
        for (const pid of shimPids(supervisor.layout!.socket)) left.push(`shim pid ${pid}`);
        if (supervisor.pid !== undefined) left.push(`containerd pid ${supervisor.pid}`);
        if (linkExists(network.bridge)) left.push(`bridge ${network.bridge}`);
        if (nftTables().includes(guardTable(network.bridge))) left.push(`nft table ${guardTable(network.bridge)}`);
        for (const c of readdirCgroups(cgroupRoot)) left.push(`cgroup ${c}`);
        const cniCache = '/var/lib/cni/results';
        if (existsSync(cniCache) && readdirSync(cniCache).some((f) => f.startsWith(`${network.networkName}-`))) left.push(`CNI cache files in ${cniCache}`);
        return left;
      },
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

/** removeTestRuntime removes what a stopped test containerd left: shims, mounts, bridge, guard, chains, cgroups, files. */
async function removeTestRuntime(dir: string, r: TestRuntimeRecord, sandboxIds: string[]): Promise<void> {
  const layout = containerdLayout(join(dir, r.stateDir ?? 'c'));
  await killShims(layout.socket, layout.runcRoot);
  await unmountUnder(dir);
  await deleteLink(r.network.bridge);
  await removeEgressGuard(r.network.bridge).catch(() => {});
  for (const table of ['nat', 'filter'] as const) {
    const before = new Set(r.chainsBefore[table]);
    const created = (await iptablesChains(table)).filter((c) => !before.has(c) && c.startsWith('CNI-'));
    await removeEmptyChains(table, created);
  }
  restoreIpForward(dir);
  removeCgroupTree(r.cgroupRoot);
  removeCniCache(r.network.networkName, sandboxIds);
  // Shims put their sockets in /run/containerd/s whatever containerd's state dir; drop the dirs once empty.
  for (const d of ['/run/containerd/s', '/run/containerd']) {
    try {
      rmdirSync(d);
    } catch {
      // still used by another containerd, or absent
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** sweepAbandoned tears down test runtimes whose test process died before its teardown ran. */
async function sweepAbandoned(): Promise<void> {
  for (const name of readdirSync('/tmp')) {
    const dir = join('/tmp', name);
    if (!dir.startsWith(dirPrefix)) continue;
    let r: TestRuntimeRecord;
    try {
      r = JSON.parse(readFileSync(join(dir, recordFile), 'utf8')) as TestRuntimeRecord;
    } catch {
      continue; // being created, or not ours
    }
    if (processAlive(r.owner)) continue;
    await stopAndRemove(dir, r);
  }
}

/** stopAndRemove removes the pods of a test runtime's containerd (if it still runs), stops it, and removes the rest. */
async function stopAndRemove(dir: string, r: TestRuntimeRecord): Promise<void> {
  const layout = containerdLayout(join(dir, r.stateDir ?? 'c'));
  const pid = runningContainerd(layout);
  let sandboxIds: string[] = [];
  if (existsSync(layout.socket)) sandboxIds = await removePods(layout.socket, () => {});
  if (pid !== undefined) await terminateProcess(pid);
  await removeTestRuntime(dir, r, sandboxIds);
}

/** AgentTestRuntime is a reserved place for a node agent that runs its own containerd in a test. */
export interface AgentTestRuntime {
  /** dir is the agent's data directory; its containerd lives in dir/containerd. */
  dir: string;
  bridge: string;
  cgroupRoot: string;
  /** clusterCidr is a free /16 for the server's --cluster-cidr, so node pod CIDRs clash with nothing here. */
  clusterCidr: string;
  /** teardown removes every pod, stops the agent's containerd and removes what it left (after the agent stopped). */
  teardown(): Promise<void>;
}

/** reserveAgentRuntime prepares names and a directory for `berth agent --data-dir dir --bridge ... --cgroup-root ...`. */
export async function reserveAgentRuntime(): Promise<AgentTestRuntime> {
  await sweepAbandoned();
  const id = randomBytes(3).toString('hex');
  const dir = mkdtempSync(dirPrefix);
  const bridge = `bt${id}`;
  const record: TestRuntimeRecord = {
    owner: process.pid,
    stateDir: 'containerd',
    // The agent names its network after the bridge (see src/cli/agent-flags.ts).
    network: { networkName: `berth-${bridge}`, bridge, subnet: '', podEgress: false },
    cgroupRoot: `berth-test-${id}`,
    chainsBefore: { nat: await iptablesChains('nat'), filter: await iptablesChains('filter') },
  };
  writeFileSync(join(dir, recordFile), JSON.stringify(record));
  if (readIpForward() === '0' && !existsSync(ipForwardMarker)) writeFileSync(ipForwardMarker, '0\n');
  let done = false;
  return {
    dir,
    bridge,
    cgroupRoot: record.cgroupRoot,
    clusterCidr: freeClusterCidr(),
    teardown: async () => {
      if (done) return;
      done = true;
      await stopAndRemove(dir, record);
    },
  };
}

/** freeClusterCidr picks a /16 in 10.124.0.0-10.250.0.0 that no route overlaps. */
function freeClusterCidr(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (let i = 0; i < 50; i++) {
    const cidr = `10.${124 + ((randomBytes(1)[0] ?? 0) % 127)}.0.0/16`;
    if (!subnetClash(cidr, routes, '')) return cidr;
  }
  throw new Error('no free /16 for a test cluster CIDR');
}

/** freeSubnet picks a /24 in 10.123.0.0/16 that no route on this machine overlaps. */
function freeSubnet(): string {
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (let i = 0; i < 50; i++) {
    const subnet = `10.123.${randomBytes(1)[0]}.0/24`;
    if (!subnetClash(subnet, routes, '')) return subnet;
  }
  throw new Error('no free /24 in 10.123.0.0/16 for a test pod network');
}

/**
 * restoreIpForward turns forwarding back off (the bridge plugin turns it on) once the last test runtime is
 * gone and no bridge is left that may need it, if it was off before the first one started.
 */
function restoreIpForward(self: string): void {
  const others = readdirSync('/tmp').some((n) => join('/tmp', n).startsWith(dirPrefix) && join('/tmp', n) !== self);
  if (others || bridges().length > 0 || !existsSync(ipForwardMarker)) return;
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '0\n');
  rmSync(ipForwardMarker, { force: true });
}

function readIpForward(): string {
  return readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
}

function bridges(): string[] {
  const out = execFileSync('ip', ['-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '');
}

function nftTables(): string[] {
  return execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(' ').pop() ?? '');
}

function readdirCgroups(name: string): string[] {
  return readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}/${name}`).filter((p) => existsSync(p));
}
