import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../clock.ts';
import { CriClient } from '../cri/client.ts';
import {
  containerdLayout,
  renderCniConflist,
  renderContainerdConfig,
  renderRegistryHosts,
  validateNetwork,
  type ContainerdLayout,
  type NetworkOptions,
} from './config.ts';
import { processAlive } from './cleanup.ts';
import { checkSubnetFree, installEgressGuard, removeEgressGuard } from './network.ts';

/** RuntimeSetupError is a missing or broken prerequisite of the container runtime, with what to do about it. */
export class RuntimeSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeSetupError';
  }
}

/** ContainerdOptions configure a node's containerd: Berth's own under stateDir, or an existing socket. */
export interface ContainerdOptions {
  /** stateDir holds the Berth-owned containerd (config, root, state, socket, CNI config). */
  stateDir: string;
  /** existingSocket uses a containerd that is already running there and starts nothing. */
  existingSocket?: string;
  network?: Partial<NetworkOptions>;
  /** allowEgressTo lists CIDRs pods may reach off the node when podEgress is off (e.g. other nodes' pod ranges). */
  allowEgressTo?: string[];
  sandboxImage?: string;
  cniBinDir?: string;
  plainHttpRegistries?: string[];
  /** binary is the containerd executable (looked up in PATH). */
  binary?: string;
  readyTimeoutMs?: number;
  clock?: Clock;
  log?: (msg: string) => void;
}

/** defaultNetwork is a node's pod network unless told otherwise; 10.88.0.0/16 is containerd's customary range. */
export const defaultNetwork: NetworkOptions = { networkName: 'berth', bridge: 'berth0', subnet: '10.88.0.0/16', podEgress: false };

/** containerdStateDir is where a node keeps its Berth-owned containerd, under Berth's data directory. */
export function containerdStateDir(dataDir: string): string {
  return join(dataDir, 'containerd');
}

/** defaultSandboxImage is the pause image Berth builds locally (`berth image build-test-images`). */
export const defaultSandboxImage = 'localhost/pause:3.9';

/** restartDelayMs is the wait before restarting containerd after its n-th consecutive crash: 0.5 s doubling to 30 s. */
export function restartDelayMs(consecutiveCrashes: number): number {
  return Math.min(500 * 2 ** Math.max(0, consecutiveCrashes - 1), 30_000);
}

// A containerd that ran this long before dying is treated as healthy: the back-off starts again.
const stableRunMs = 60_000;

/** runningContainerd is the pid in the layout's pid file when that process is a containerd on this layout's config. */
export function runningContainerd(l: ContainerdLayout): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(l.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // A pid file outlives its process, and the pid may since belong to another one.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(l.configFile) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** spawnContainerd starts containerd on the layout's config in its own process group, logging to its log file, and records its pid. */
export function spawnContainerd(l: ContainerdLayout, binary = 'containerd'): ChildProcess {
  rmSync(l.socket, { force: true });
  const out = openSync(l.logFile, 'a');
  try {
    // Its own process group: a Ctrl-C meant for Berth must not stop containerd behind the supervisor's back.
    const child = spawn(binary, ['--config', l.configFile], { detached: true, stdio: ['ignore', out, out] });
    if (child.pid !== undefined) writeFileSync(l.pidFile, `${child.pid}\n`);
    return child;
  } finally {
    closeSync(out);
  }
}

/** ContainerdSupervisor starts, watches and stops a node's containerd; start(signal) runs until the signal. */
export class ContainerdSupervisor {
  /** endpoint is the CRI socket to connect to. */
  readonly endpoint: string;
  /** layout is where the Berth-owned containerd lives (undefined with an existing socket). */
  readonly layout: ContainerdLayout | undefined;
  /** ready settles once containerd first answers CRI (or fails to start). */
  readonly ready: Promise<void>;
  /** restarts counts how often containerd was restarted after dying. */
  restarts = 0;

  readonly #opts: ContainerdOptions;
  readonly #network: NetworkOptions;
  readonly #clock: Clock;
  readonly #log: (msg: string) => void;
  #pid: number | undefined;
  #child: ChildProcess | undefined;
  #markReady!: () => void;
  #failReady!: (err: unknown) => void;

  constructor(opts: ContainerdOptions) {
    this.#opts = opts;
    this.#network = { ...defaultNetwork, ...opts.network };
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.log ?? (() => {});
    this.layout = opts.existingSocket ? undefined : containerdLayout(opts.stateDir);
    this.endpoint = `unix://${opts.existingSocket ?? this.layout!.socket}`;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#markReady = resolve;
      this.#failReady = reject;
    });
    this.ready.catch(() => {}); // start() reports the same failure
  }

  /** pid is the running containerd's process id (undefined with an existing socket or between restarts). */
  get pid(): number | undefined {
    return this.#pid;
  }

  /** start runs containerd until signal aborts, restarting it with back-off when it dies, then stops it. */
  async start(signal: AbortSignal): Promise<void> {
    try {
      if (this.#opts.existingSocket) {
        await this.#waitReady(undefined);
        this.#markReady();
        await sleep(2 ** 31 - 1, undefined, { signal }).catch(() => {});
        return;
      }
      await this.#prepare();
      await this.#runFirst();
    } catch (err) {
      this.#failReady(err);
      throw err;
    }
    this.#markReady();
    await this.#superviseUntil(signal);
  }

  /** writeConfig writes containerd's config, the CNI conflist and registry hosts files (before containerd starts). */
  writeConfig(): void {
    const l = this.layout;
    if (!l) return;
    for (const d of [l.dir, l.root, l.state, l.runcRoot, l.cniConfDir, l.cniIpamDir, l.certsDir, l.optDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
    const cniBinDir = this.#opts.cniBinDir ?? '/usr/lib/cni';
    const registries = this.#opts.plainHttpRegistries ?? [];
    writeFileSync(l.configFile, renderContainerdConfig(l, { sandboxImage: this.#opts.sandboxImage ?? defaultSandboxImage, cniBinDir, plainHttpRegistries: registries }));
    // The conflist must exist before containerd starts, or NetworkReady stays false until it appears.
    writeFileSync(join(l.cniConfDir, `10-${this.#network.networkName}.conflist`), renderCniConflist(l, this.#network));
    for (const host of registries) {
      mkdirSync(join(l.certsDir, host), { recursive: true });
      writeFileSync(join(l.certsDir, host, 'hosts.toml'), renderRegistryHosts(host));
    }
  }

  async #prepare(): Promise<void> {
    const binary = this.#opts.binary ?? 'containerd';
    if (!findExecutable(binary)) {
      throw new RuntimeSetupError(`containerd not found (${binary}): run scripts/up, which installs containerd, runc and the CNI plugins, or point --runtime-endpoint at a running containerd`);
    }
    const cniBinDir = this.#opts.cniBinDir ?? '/usr/lib/cni';
    if (!existsSync(join(cniBinDir, 'bridge'))) {
      throw new RuntimeSetupError(`CNI plugins not found in ${cniBinDir}: run scripts/up, which installs containernetworking-plugins`);
    }
    const errs = validateNetwork(this.#network);
    if (errs.length > 0) throw new RuntimeSetupError(errs.join('; '));
    await checkSubnetFree(this.#network.subnet, this.#network.bridge);
    // Installed before containerd starts, so no pod ever runs unguarded; removed when egress is turned on.
    if (!this.#network.podEgress) await installEgressGuard(this.#network.bridge, this.#opts.allowEgressTo ?? []);
    else await removeEgressGuard(this.#network.bridge);
    this.writeConfig();
  }

  async #runFirst(): Promise<void> {
    const adopted = this.#adopt();
    if (adopted !== undefined) {
      this.#log(`containerd: using the running containerd (pid ${adopted}) from ${this.layout!.pidFile}`);
      this.#pid = adopted;
    } else {
      this.#spawn();
    }
    await this.#waitReady(this.#child);
  }

  // A containerd left running by an earlier agent (kill -9 of the agent) keeps its pods; use it rather than
  // starting a second one on the same state.
  #adopt(): number | undefined {
    return runningContainerd(this.layout!);
  }

  #spawn(): void {
    const l = this.layout!;
    const child = spawnContainerd(l, this.#opts.binary);
    child.on('error', (err) => this.#log(`containerd: ${err.message}`));
    this.#child = child;
    this.#pid = child.pid;
    this.#log(`containerd: started pid ${child.pid} (config ${l.configFile}, log ${l.logFile})`);
  }

  async #superviseUntil(signal: AbortSignal): Promise<void> {
    let crashes = 0;
    while (!signal.aborted) {
      const startedAt = this.#clock.now();
      const exited = await this.#waitExit(signal);
      if (!exited) break;
      crashes = this.#clock.now() - startedAt >= stableRunMs ? 1 : crashes + 1;
      const delay = restartDelayMs(crashes);
      this.#log(`containerd: pid ${this.#pid} exited; restarting in ${delay} ms`);
      this.#pid = undefined;
      this.#child = undefined;
      try {
        await sleep(delay, undefined, { signal });
        this.#spawn();
        this.restarts++;
        await this.#waitReady(this.#child);
        this.#log(`containerd: running again (pid ${this.#pid})`);
      } catch (err) {
        if (signal.aborted) break;
        this.#log(`containerd: restart failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await this.#stop();
  }

  /** #waitExit resolves true when containerd exits, false when the signal aborts first. */
  async #waitExit(signal: AbortSignal): Promise<boolean> {
    const child = this.#child;
    if (child) {
      if (child.exitCode !== null || child.signalCode !== null) return true;
      return new Promise<boolean>((resolve) => {
        const onAbort = (): void => {
          child.off('exit', onExit);
          resolve(false);
        };
        const onExit = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        };
        child.once('exit', onExit);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    // An adopted containerd is not our child: poll it.
    while (this.#pid !== undefined && processAlive(this.#pid)) {
      try {
        await sleep(500, undefined, { signal });
      } catch {
        return false;
      }
    }
    return true;
  }

  async #waitReady(child: ChildProcess | undefined): Promise<void> {
    const socket = this.#opts.existingSocket ?? this.layout!.socket;
    const deadline = this.#clock.now() + (this.#opts.readyTimeoutMs ?? 30_000);
    let last = 'socket not there yet';
    for (;;) {
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        throw new RuntimeSetupError(`containerd exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${this.#logTail()}`);
      }
      if (existsSync(socket) && (await canConnect(socket))) {
        const cri = new CriClient({ endpoint: socket, timeoutMs: 2_000 });
        try {
          const v = await cri.version();
          if (v.runtimeApiVersion !== 'v1') throw new RuntimeSetupError(`${v.runtimeName} ${v.runtimeVersion} speaks CRI ${v.runtimeApiVersion}, Berth needs v1`);
          return;
        } catch (err) {
          if (err instanceof RuntimeSetupError) throw err;
          last = err instanceof Error ? err.message : String(err);
        } finally {
          cri.close();
        }
      }
      if (this.#clock.now() > deadline) {
        throw new RuntimeSetupError(`containerd did not answer on ${socket} (${last})${this.layout ? `:\n${this.#logTail()}` : ''}`);
      }
      await sleep(20);
    }
  }

  #logTail(): string {
    try {
      return readFileSync(this.layout!.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** #stop stops containerd by its PID: SIGTERM, then SIGKILL after 10 s. Pods keep running in their shims. */
  async #stop(): Promise<void> {
    const pid = this.#pid;
    if (pid === undefined) return;
    const child = this.#child;
    const exited = child && child.exitCode === null && child.signalCode === null
      ? new Promise<void>((resolve) => child.once('exit', () => resolve()))
      : undefined;
    signalPid(pid, 'SIGTERM');
    const deadline = this.#clock.now() + 10_000;
    if (exited) {
      const timer = setTimeout(() => signalPid(pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    } else {
      while (processAlive(pid)) {
        if (this.#clock.now() > deadline) signalPid(pid, 'SIGKILL');
        await sleep(50);
      }
    }
    this.#log(`containerd: stopped pid ${pid}`);
    this.#pid = undefined;
    this.#child = undefined;
    if (this.layout) rmSync(this.layout.pidFile, { force: true });
  }
}

/** findExecutable returns the path of an executable (a path, or a name looked up in PATH). */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next directory
    }
  }
  return undefined;
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
