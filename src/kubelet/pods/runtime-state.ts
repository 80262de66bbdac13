import type { CriClient } from '../cri/client.ts';
import { isCriNotFound } from '../cri/errors.ts';
import type { Container, ContainerState, PodSandbox, PodSandboxState } from '../cri/types.ts';
import {
  containerHashAnnotation,
  containerKindAnnotation,
  containerNameLabel,
  managedLabel,
  podGraceAnnotation,
  podNameLabel,
  podNamespaceLabel,
  podUidLabel,
  restartCountAnnotation,
  type ContainerKind,
} from './labels.ts';

// What the runtime holds for a pod, read back from CRI by the labels the agent put on it (upstream's
// kubecontainer.PodStatus): the only state the agent needs to survive its own restart.

/** RuntimeSandbox is one sandbox of a pod. */
export interface RuntimeSandbox {
  id: string;
  attempt: number;
  state: PodSandboxState;
  createdAt: number;
  ip?: string;
  hostNetwork: boolean;
}

/** RuntimeContainer is one run of one of the pod's containers. */
export interface RuntimeContainer {
  id: string;
  sandboxId: string;
  name: string;
  kind: ContainerKind;
  restartCount: number;
  hash: string;
  state: ContainerState;
  /** createdAt, startedAt, finishedAt are ms since the epoch (0: not yet). */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  graceSeconds: number;
}

/** RuntimePod is everything of one pod in the runtime, newest sandbox and newest container run first. */
export interface RuntimePod {
  uid: string;
  name: string;
  namespace: string;
  sandboxes: RuntimeSandbox[];
  containers: RuntimeContainer[];
}

/** nsToMs turns CRI nanosecond timestamps into milliseconds. */
export function nsToMs(ns: string): number {
  return ns && ns !== '0' ? Number(BigInt(ns) / 1_000_000n) : 0;
}

/** RuntimeSnapshot is one relist of everything the agent runs: all its sandboxes and containers, by pod uid. */
export interface RuntimeSnapshot {
  sandboxes: PodSandbox[];
  containers: Container[];
}

/**
 * RuntimeReader reads pods from CRI through one shared relist (upstream's kubelet pod cache fed by the PLEG):
 * every caller gets a list that started after it asked, so it sees what it did just before, but callers that
 * ask while a list is running share the next one instead of each listing the runtime. Container and sandbox
 * statuses are asked once per state a container or sandbox is listed in (they do not change within one).
 */
export class RuntimeReader {
  readonly #cri: CriClient;
  readonly #containers = new Map<string, { state: ContainerState; run: RuntimeContainer }>();
  readonly #sandboxes = new Map<string, { state: PodSandboxState; ip?: string; hostNetwork: boolean }>();
  #listing: Promise<RuntimeSnapshot> | undefined;
  #next: Promise<RuntimeSnapshot> | undefined;
  /** lists counts the relists made, for tests and metrics. */
  lists = 0;

  constructor(cri: CriClient) {
    this.#cri = cri;
  }

  /** snapshot returns a relist that started after this call. */
  snapshot(): Promise<RuntimeSnapshot> {
    if (!this.#listing) return this.#start();
    // The running list may have begun before the caller's last change: queue one more, shared by all who ask meanwhile.
    this.#next ??= this.#listing.catch(() => undefined).then(() => {
      this.#next = undefined;
      return this.#start();
    });
    return this.#next;
  }

  #start(): Promise<RuntimeSnapshot> {
    const selector = { labelSelector: { [managedLabel]: 'true' } };
    const p = Promise.all([this.#cri.listPodSandbox(selector), this.#cri.listContainers(selector)]).then(([sandboxes, containers]) => {
      this.lists++;
      this.#sweep(sandboxes, containers);
      return { sandboxes, containers };
    });
    this.#listing = p;
    const clear = (): void => {
      if (this.#listing === p) this.#listing = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /** #sweep forgets the statuses of what the runtime no longer has. */
  #sweep(sandboxes: PodSandbox[], containers: Container[]): void {
    const sb = new Set(sandboxes.map((s) => s.id));
    for (const id of this.#sandboxes.keys()) if (!sb.has(id)) this.#sandboxes.delete(id);
    const cs = new Set(containers.map((c) => c.id));
    for (const id of this.#containers.keys()) if (!cs.has(id)) this.#containers.delete(id);
  }

  /** pod reads one pod's sandboxes and containers from a fresh relist. */
  async pod(uid: string): Promise<RuntimePod> {
    const snap = await this.snapshot();
    const sandboxes = snap.sandboxes.filter((s) => s.labels[podUidLabel] === uid);
    const containers = snap.containers.filter((c) => c.labels[podUidLabel] === uid);
    const rp: RuntimePod = { uid, name: '', namespace: '', sandboxes: [], containers: [] };
    const sbs = await Promise.all(sandboxes.map(async (s) => {
      rp.name = s.labels[podNameLabel] ?? rp.name;
      rp.namespace = s.labels[podNamespaceLabel] ?? rp.namespace;
      const sb: RuntimeSandbox = { id: s.id, attempt: s.metadata?.attempt ?? 0, state: s.state, createdAt: nsToMs(s.createdAt), hostNetwork: false };
      if (s.state !== 'SANDBOX_READY') return sb;
      const known = this.#sandboxes.get(s.id);
      if (known?.state === s.state) return { ...sb, ...(known.ip ? { ip: known.ip } : {}), hostNetwork: known.hostNetwork };
      try {
        const st = await this.#cri.podSandboxStatus(s.id);
        sb.ip = st.status?.network?.ip || undefined;
        sb.hostNetwork = st.status?.linux?.namespaces?.options?.network === 'NODE';
      } catch (err) {
        if (!isCriNotFound(err)) throw err;
        return undefined;
      }
      this.#sandboxes.set(s.id, { state: s.state, ...(sb.ip ? { ip: sb.ip } : {}), hostNetwork: sb.hostNetwork });
      return sb;
    }));
    rp.sandboxes = sbs.filter((s): s is RuntimeSandbox => s !== undefined).sort((a, b) => b.createdAt - a.createdAt);
    const runs = await Promise.all(containers.map((c) => this.#container(c)));
    // Callers change the runs they get (a message read from the termination file): give them copies.
    rp.containers = runs.filter((r): r is RuntimeContainer => r !== undefined).map((r) => ({ ...r })).sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
    return rp;
  }

  async #container(c: Container): Promise<RuntimeContainer | undefined> {
    const known = this.#containers.get(c.id);
    // An exited container's status is final; a listed state that matches the cached one means nothing moved.
    if (known && (known.run.state === 'CONTAINER_EXITED' || (known.state === c.state && c.state !== 'CONTAINER_UNKNOWN'))) return known.run;
    try {
      const st = (await this.#cri.containerStatus(c.id)).status;
      if (!st) return undefined;
      const a = st.annotations;
      const rc: RuntimeContainer = {
        id: c.id,
        sandboxId: c.podSandboxId,
        name: st.labels[containerNameLabel] ?? st.metadata?.name ?? '',
        kind: (a[containerKindAnnotation] as ContainerKind | undefined) ?? 'app',
        restartCount: Number(a[restartCountAnnotation] ?? st.metadata?.attempt ?? 0),
        hash: a[containerHashAnnotation] ?? '',
        state: st.state,
        createdAt: nsToMs(st.createdAt),
        startedAt: nsToMs(st.startedAt),
        finishedAt: nsToMs(st.finishedAt),
        exitCode: st.exitCode,
        reason: st.reason,
        message: st.message,
        image: st.image?.userSpecifiedImage || st.image?.image || '',
        imageRef: st.imageRef,
        graceSeconds: Number(a[podGraceAnnotation] ?? 30),
      };
      // Keyed by the state the list showed: a status read just after a change may be newer than the list.
      if (st.state === c.state || st.state === 'CONTAINER_EXITED') this.#containers.set(c.id, { state: c.state, run: rc });
      return rc;
    } catch (err) {
      if (isCriNotFound(err)) return undefined;
      throw err;
    }
  }

  /** forget drops the cached statuses of containers the agent removed. */
  forget(containerIds: Iterable<string>): void {
    for (const id of containerIds) this.#containers.delete(id);
  }
}

/** latestRun is a container's newest run in the runtime, if any. */
export function latestRun(rp: RuntimePod, name: string): RuntimeContainer | undefined {
  return rp.containers.find((c) => c.name === name);
}

/** previousRun is the run before the newest one. */
export function previousRun(rp: RuntimePod, name: string): RuntimeContainer | undefined {
  return rp.containers.filter((c) => c.name === name)[1];
}
