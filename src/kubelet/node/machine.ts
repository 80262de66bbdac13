import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';
import { arch, availableParallelism, release } from 'node:os';
import { promisify } from '../../builtins.ts';

/** MachineInfo is what the agent reads about its host to report as node capacity and nodeInfo (cadvisor's role upstream). */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** ephemeralStorageBytes is the size of the filesystem holding the agent's data directory. */
  ephemeralStorageBytes: number;
  /** hugepages maps a page size quantity ("2Mi", "1Gi") to the bytes reserved in pages of that size. */
  hugepages: Record<string, number>;
  gpus: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
}

/** readMachineInfo reads /proc, /etc and /sys, and asks nvidia-smi for GPUs when it is installed. */
export async function readMachineInfo(dataDir: string): Promise<MachineInfo> {
  const [meminfo, fs, machineID, systemUUID, bootID, osRelease, gpus] = await Promise.all([
    readFile('/proc/meminfo', 'utf8'),
    statfs(dataDir),
    readTrimmed('/etc/machine-id'),
    readTrimmed('/sys/class/dmi/id/product_uuid'),
    readTrimmed('/proc/sys/kernel/random/boot_id'),
    readFile('/etc/os-release', 'utf8').catch(() => ''),
    countGpus(),
  ]);
  const mem = parseMeminfo(meminfo);
  return {
    cpus: availableParallelism(),
    memoryBytes: mem.MemTotal ?? 0,
    ephemeralStorageBytes: Number(fs.blocks) * Number(fs.bsize),
    hugepages: hugepagesFrom(mem),
    gpus,
    machineID,
    systemUUID: systemUUID || machineID,
    bootID,
    kernelVersion: release(),
    osImage: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'Linux',
    architecture: arch() === 'x64' ? 'amd64' : arch() === 'arm64' ? 'arm64' : arch(),
  };
}

/** parseMeminfo reads /proc/meminfo into bytes (kB lines) or counts (HugePages_* lines). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (!m) continue;
    const n = Number(m[2]);
    out[m[1] as string] = line.trim().endsWith('kB') ? n * 1024 : n;
  }
  return out;
}

// Only the default hugepage size is in /proc/meminfo; the kubelet reports both common sizes, zero when absent.
function hugepagesFrom(mem: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = { '1Gi': 0, '2Mi': 0 };
  const size = mem.Hugepagesize;
  const total = mem.HugePages_Total ?? 0;
  if (size === 2 * 1024 * 1024) out['2Mi'] = total * size;
  else if (size === 1024 * 1024 * 1024) out['1Gi'] = total * size;
  return out;
}

async function readTrimmed(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).trim();
}

/** countGpus asks nvidia-smi how many GPUs there are; no nvidia-smi (or no driver) means none. */
async function countGpus(): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)('nvidia-smi', ['-L'], { timeout: 10_000 });
    return stdout.split('\n').filter((l) => /^GPU \d+:/.test(l)).length;
  } catch {
    return 0;
  }
}
