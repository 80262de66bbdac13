import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from '../../builtins.ts';

const run = promisify(execFile);

// Tearing a node's runtime down to nothing: what `kill containerd` leaves behind and how to remove it.
// Used by test suites with a private containerd, and later by an agent's reset.

/** shimPids finds containerd shims started by the containerd listening on socket. */
export function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (!(args[0] ?? '').includes('containerd-shim')) continue;
    const at = args.indexOf('-address');
    if (at >= 0 && args[at + 1] === socket) pids.push(Number(entry));
  }
  return pids;
}

/** killShims force-deletes the runc containers under runcRoot, kills the shims of socket, and waits until they are gone. */
export async function killShims(socket: string, runcRoot: string): Promise<void> {
  // Containers whose containerd died first: runc delete -f kills their processes and frees their cgroups.
  for (const ns of safeReaddir(runcRoot)) {
    for (const id of safeReaddir(join(runcRoot, ns))) {
      await run('runc', ['--root', join(runcRoot, ns), 'delete', '--force', id]).catch(() => {});
    }
  }
  const pids = shimPids(socket);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (let i = 0; i < 200 && pids.some(processAlive); i++) await sleep(25);
}

/** mountsUnder lists mount points at or below dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => unescapeMount(l.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** unmountUnder unmounts everything at or below dir (pod netns pins, rootfs overlays, shm), deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const p of points) await run('umount', ['--lazy', p]).catch(() => {});
  }
}

/** removeCgroupTree removes a cgroup directory (e.g. "berth" or "berth/pod<uid>") from every cgroup hierarchy, leaves first. */
export function removeCgroupTree(relative: string, cgroupRoot = '/sys/fs/cgroup'): string[] {
  const failed: string[] = [];
  const hierarchies = safeReaddir(cgroupRoot).map((h) => join(cgroupRoot, h));
  for (const h of [...hierarchies, cgroupRoot]) {
    const top = join(h, relative);
    if (existsSync(top)) removeDirsDepthFirst(top, failed);
  }
  return failed;
}

function removeDirsDepthFirst(dir: string, failed: string[]): void {
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeDirsDepthFirst(join(dir, e.name), failed);
  try {
    rmdirSync(dir); // cgroupfs directories go with rmdir even though they list files
  } catch {
    failed.push(dir);
  }
}

/** deleteLink deletes a network interface if it exists. */
export async function deleteLink(name: string): Promise<void> {
  await run('ip', ['link', 'del', name]).catch(() => {});
}

/** linkExists reports whether a network interface exists. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** iptablesChains lists the user chains of an iptables table. */
export async function iptablesChains(table: string): Promise<string[]> {
  const { stdout } = await run('iptables', ['-w', '-t', table, '-S']);
  return stdout.split('\n').filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim());
}

/** removeEmptyChains deletes the given chains of a table that hold no rules, with the jumps to them. */
export async function removeEmptyChains(table: string, chains: string[]): Promise<void> {
  if (chains.length === 0) return;
  const { stdout } = await run('iptables', ['-w', '-t', table, '-S']);
  const lines = stdout.split('\n');
  for (const chain of chains) {
    const own = lines.filter((l) => l.startsWith(`-A ${chain} `));
    if (own.length > 0) continue; // still in use: CNI removes per-pod rules itself
    for (const l of lines) {
      if (l.startsWith('-A ') && l.endsWith(` -j ${chain}`)) {
        await run('iptables', ['-w', '-t', table, ...splitRule(`-D ${l.slice(3)}`)]).catch(() => {});
      }
    }
    await run('iptables', ['-w', '-t', table, '-X', chain]).catch(() => {});
  }
}

/** removeCniCache removes libcni's cached results of one network (and of loopback for the given sandboxes). */
export function removeCniCache(networkName: string, sandboxIds: string[], cacheDir = '/var/lib/cni'): void {
  const results = join(cacheDir, 'results');
  for (const f of safeReaddir(results)) {
    if (f.startsWith(`${networkName}-`) || sandboxIds.some((id) => f.startsWith(`cni-loopback-${id}`))) rmSync(join(results, f), { force: true });
  }
  for (const d of [results, cacheDir]) {
    try {
      rmdirSync(d); // only when nobody else keeps files there
    } catch {
      // not empty or absent
    }
  }
}

function splitRule(rule: string): string[] {
  // iptables -S quotes arguments with spaces (comments); keep them whole.
  return (rule.match(/"[^"]*"|\S+/g) ?? []).map((t) => t.replace(/^"(.*)"$/, '$1'));
}

function unescapeMount(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** processAlive reports whether a process exists (signal 0). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** terminateProcess sends SIGTERM to pid and waits up to 10 s for it to go, then sends SIGKILL. */
export async function terminateProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // gone already
  }
  for (let i = 0; i < 200 && processAlive(pid); i++) await sleep(50);
  if (processAlive(pid)) process.kill(pid, 'SIGKILL');
}
