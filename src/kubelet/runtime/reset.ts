import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { proxyTable } from '../../proxy/proxy.ts';
import { routeProtocol } from '../../proxy/host.ts';
import { netpolTable } from '../../proxy/netpol/enforcer.ts';
import { CriClient } from '../cri/client.ts';
import { podRouteProtocol } from '../network/routes.ts';
import { vxlanDevice } from '../network/vxlan.ts';
import { deleteLink, iptablesChains, killShims, processAlive, removeCgroupTree, removeCniCache, removeEmptyChains, terminateProcess, unmountUnder } from './cleanup.ts';
import { containerdStateDir, runningContainerd, spawnContainerd } from './containerd.ts';
import { containerdLayout, type ContainerdLayout } from './config.ts';
import { removeEgressGuard } from './network.ts';

const run = promisify(execFile);

// `berth reset`: what k3s-killall.sh does for k3s. A stopped server or agent leaves its pods running on purpose
// (a restart must not restart them); this removes them and everything the node set up for them: pods through CRI
// (so CNI DEL frees addresses and port mappings), containerd, shims, mounts, the bridge and its egress guard, the
// Service proxy's and NetworkPolicy's nftables tables, the routes tagged proto 190/191, the VXLAN tunnel (flannel.1), the pod cgroups, CNI's
// cache; with purge, the data directory too.

/** ResetOptions say which node to reset: its data directory and the names its agent was started with. */
export interface ResetOptions {
  dataDir: string;
  bridge: string;
  networkName: string;
  cgroupRoot: string;
  purge: boolean;
  log: (msg: string) => void;
}

/** ResetRefused means a Berth process still runs this node: resetting under it would fight it. */
export class ResetRefused extends Error {
  override readonly name = 'ResetRefused';
}

/** ResetIncomplete lists what a reset could not remove. */
export class ResetIncomplete extends Error {
  override readonly name = 'ResetIncomplete';
}

/** resetNode tears the node's pods and runtime down and returns what could not be removed (empty when clean). */
export async function resetNode(o: ResetOptions): Promise<string[]> {
  const layout = containerdLayout(containerdStateDir(o.dataDir));
  const running = runningContainerd(layout);
  if (running !== undefined) refuseUnderBerth(running);
  let pid = running;
  if (pid === undefined && existsSync(layout.configFile)) pid = await startContainerd(layout, o.log);
  let sandboxIds: string[] = [];
  if (pid !== undefined) {
    sandboxIds = await removePods(layout.socket, o.log);
    await terminateProcess(pid);
    o.log(`stopped containerd (pid ${pid})`);
  }
  rmSync(layout.pidFile, { force: true });
  await killShims(layout.socket, layout.runcRoot);
  await unmountUnder(o.dataDir);
  await removeEgressGuard(o.bridge).catch(() => {});
  await deleteLink(o.bridge);
  for (const table of [proxyTable, netpolTable]) await run('nft', ['delete', 'table', 'ip', table]).catch(() => {});
  await run('ip', ['-4', 'route', 'flush', 'table', 'all', 'proto', String(routeProtocol)]).catch(() => {});
  await run('ip', ['-4', 'route', 'flush', 'table', 'main', 'proto', String(podRouteProtocol)]).catch(() => {});
  // The vxlan backend's tunnel; its neighbour and forwarding entries go with it.
  await deleteLink(vxlanDevice);
  for (const table of ['nat', 'filter'] as const) {
    const chains = await iptablesChains(table).catch(() => []);
    await removeEmptyChains(table, chains.filter((c) => c.startsWith('CNI-')));
  }
  removeCniCache(o.networkName, sandboxIds);
  const left = removeCgroupTree(o.cgroupRoot);
  if (o.purge) rmSync(o.dataDir, { recursive: true, force: true });
  return left.map((d) => `cgroup ${d}`);
}

/** refuseUnderBerth refuses when containerd's parent is a Berth server or agent, whose supervisor would restart it. */
function refuseUnderBerth(pid: number): void {
  let ppid: number;
  try {
    // The command name in /proc/PID/stat may hold spaces and parentheses: the fields after it start past the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return;
  }
  let args: string[] = [];
  try {
    args = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0');
  } catch {
    return;
  }
  const berth = args.some((a) => /(^|\/)(berth|main\.ts)$/.test(a)) && args.some((a) => a === 'server' || a === 'agent');
  if (berth) throw new ResetRefused(`containerd (pid ${pid}) belongs to a running berth ${args.includes('agent') ? 'agent' : 'server'} (pid ${ppid}): stop it first`);
}

/** startContainerd runs the node's containerd from its own config, so pods are removed through CRI. */
async function startContainerd(layout: ContainerdLayout, log: (msg: string) => void): Promise<number | undefined> {
  const child = spawnContainerd(layout);
  const failed = new Promise<void>((resolve) => child.once('error', () => resolve()));
  child.unref();
  const cri = new CriClient({ endpoint: layout.socket, timeoutMs: 2_000 });
  try {
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      const up = await Promise.race([cri.version().then(() => true, () => false), failed.then(() => false)]);
      if (up) {
        log(`started containerd (pid ${child.pid}) to remove the pods through CRI`);
        return child.pid;
      }
      await sleep(100);
    }
  } finally {
    cri.close();
  }
  log('containerd did not start: pods are removed without CRI (no CNI DEL)');
  if (child.pid !== undefined && processAlive(child.pid)) await terminateProcess(child.pid);
  return undefined;
}

/** removePods stops and removes every sandbox and container through CRI and returns the sandbox ids. */
export async function removePods(socket: string, log: (msg: string) => void): Promise<string[]> {
  const cri = new CriClient({ endpoint: socket, timeoutMs: 60_000 });
  const ids: string[] = [];
  try {
    const sandboxes = await cri.listPodSandbox();
    for (const s of sandboxes) {
      ids.push(s.id);
      await cri.stopPodSandbox(s.id).catch((err: unknown) => log(`stop sandbox ${s.id}: ${String(err)}`));
      await cri.removePodSandbox(s.id).catch((err: unknown) => log(`remove sandbox ${s.id}: ${String(err)}`));
    }
    for (const c of await cri.listContainers()) await cri.removeContainer(c.id).catch(() => {});
    log(`removed ${sandboxes.length} pod sandbox(es)`);
  } catch (err) {
    log(`containerd did not answer (${err instanceof Error ? err.message : String(err)}): pods are removed without CRI`);
  } finally {
    cri.close();
  }
  return ids;
}

