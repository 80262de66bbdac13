import type { CriClient } from '../cri/client.ts';
import { containerNameLabel, podNameLabel, podNamespaceLabel, podUidLabel } from '../pods/labels.ts';
import type { CriStreamingRpc } from './cri-stream-client.ts';
import { containerNotFound, StreamingError, type ContainerRef } from './runtime.ts';

// How the agent turns "namespace/pod/container" from a kubelet URL into CRI ids: by the io.kubernetes.*
// labels every sandbox and container carries (the same labels a restarted agent recovers its pods from),
// so a stream reaches exactly what the runtime runs now, with no cache to go stale.

/** PodRef names a pod on this node; uid narrows it to one incarnation when the caller knows it. */
type PodRef = Omit<ContainerRef, 'container'>;

function podSelector(pod: PodRef): Record<string, string> {
  return { [podNamespaceLabel]: pod.namespace, [podNameLabel]: pod.pod, ...(pod.uid ? { [podUidLabel]: pod.uid } : {}) };
}

/** podNotFound is the kubelet's refusal to forward ports of a pod it does not run. */
export function podNotFound(): StreamingError {
  return new StreamingError('NotFound', 'pod does not exist');
}

/** runningContainerId finds the running container of a pod, newest first; it throws the kubelet's NotFound. */
export async function runningContainerId(cri: CriClient, ref: ContainerRef): Promise<string> {
  const found = await cri.listContainers({ state: { state: 'CONTAINER_RUNNING' }, labelSelector: { ...podSelector(ref), [containerNameLabel]: ref.container } });
  const newest = found.sort((a, b) => Number(BigInt(b.createdAt) - BigInt(a.createdAt)))[0];
  if (!newest) throw containerNotFound(ref.container);
  return newest.id;
}

/** readySandboxId finds the pod's ready sandbox (its network namespace), newest first. */
export async function readySandboxId(cri: CriClient, pod: PodRef): Promise<string> {
  const found = await cri.listPodSandbox({ state: { state: 'SANDBOX_READY' }, labelSelector: podSelector(pod) });
  const newest = found.sort((a, b) => Number(BigInt(b.createdAt) - BigInt(a.createdAt)))[0];
  if (!newest) throw podNotFound();
  return newest.id;
}

/** criStreamingRpc gets exec, attach and port-forward URLs from the runtime for pods named as in kubelet URLs. */
export function criStreamingRpc(cri: CriClient): CriStreamingRpc {
  return {
    exec: async (req) => cri.exec({ containerId: await runningContainerId(cri, req), cmd: req.command, tty: req.tty, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr }),
    attach: async (req) => cri.attach({ containerId: await runningContainerId(cri, req), tty: req.tty, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr }),
    portForward: async (pod, port) => cri.portForward(await readySandboxId(cri, pod), [port]),
  };
}
