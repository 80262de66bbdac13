import type { CriClient } from '../cri/client.ts';
import { isCriNotFound } from '../cri/errors.ts';
import type { ContainerState, PodSandboxState } from '../cri/types.ts';
import {
  containerHashAnnotation,
  containerKindAnnotation,
  containerNameLabel,
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

/** RuntimeReader reads pods from CRI, remembering the status of exited containers (it cannot change). */
export class RuntimeReader {
  readonly #cri: CriClient;
  readonly #exited = new Map<string, RuntimeContainer>();

  constructor(cri: CriClient) {
    this.#cri = cri;
  }

  /** pod reads one pod's sandboxes and containers. */
  async pod(uid: string): Promise<RuntimePod> {
    const [sandboxes, containers] = await Promise.all([
      this.#cri.listPodSandbox({ labelSelector: { [podUidLabel]: uid } }),
      this.#cri.listContainers({ labelSelector: { [podUidLabel]: uid } }),
    ]);
    const rp: RuntimePod = { uid, name: '', namespace: '', sandboxes: [], containers: [] };
    for (const s of sandboxes) {
      rp.name = s.labels[podNameLabel] ?? rp.name;
      rp.namespace = s.labels[podNamespaceLabel] ?? rp.namespace;
      const sb: RuntimeSandbox = { id: s.id, attempt: s.metadata?.attempt ?? 0, state: s.state, createdAt: nsToMs(s.createdAt), hostNetwork: false };
      if (s.state === 'SANDBOX_READY') {
        try {
          const st = await this.#cri.podSandboxStatus(s.id);
          sb.ip = st.status?.network?.ip || undefined;
          sb.hostNetwork = st.status?.linux?.namespaces?.options?.network === 'NODE';
        } catch (err) {
          if (!isCriNotFound(err)) throw err;
          continue;
        }
      }
      rp.sandboxes.push(sb);
    }
    rp.sandboxes.sort((a, b) => b.createdAt - a.createdAt);
    const runs = await Promise.all(containers.map(async (c) => {
      const cached = this.#exited.get(c.id);
      if (cached) return cached;
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
        if (rc.state === 'CONTAINER_EXITED') this.#exited.set(c.id, rc);
        return rc;
      } catch (err) {
        if (isCriNotFound(err)) return undefined;
        throw err;
      }
    }));
    rp.containers = runs.filter((r): r is RuntimeContainer => r !== undefined).sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
    return rp;
  }

  /** forget drops the cached statuses of containers the agent removed. */
  forget(containerIds: Iterable<string>): void {
    for (const id of containerIds) this.#exited.delete(id);
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
