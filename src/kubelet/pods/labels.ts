import { createHash } from '../../builtins.ts';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

// The labels and annotations the kubelet puts on CRI sandboxes and containers. They are how a restarted
// agent finds its pods again, so they use upstream's names: tools that read them (crictl, log shippers)
// work unchanged.

export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUidLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';
/** managedLabel marks sandboxes and containers this agent created (so orphans of other tools are left alone). */
export const managedLabel = 'io.berth.managed';

export const containerHashAnnotation = 'io.kubernetes.container.hash';
export const restartCountAnnotation = 'io.kubernetes.container.restartCount';
export const terminationMessagePathAnnotation = 'io.kubernetes.container.terminationMessagePath';
export const podGraceAnnotation = 'io.kubernetes.pod.terminationGracePeriod';
/** containerKindAnnotation records "init", "sidecar", "app" or "ephemeral", so a pod whose spec is gone is still stopped in order. */
export const containerKindAnnotation = 'io.berth.container.kind';

/** ContainerKind is where a container sits in its pod's life cycle ("ephemeral": a debug container, never restarted). */
export type ContainerKind = 'init' | 'sidecar' | 'app' | 'ephemeral';

/** podLabels are the labels of a pod's sandbox: the pod's own labels plus the kubelet's. */
export function sandboxLabels(pod: Pod): Record<string, string> {
  return { ...(pod.metadata?.labels ?? {}), ...podIdentityLabels(pod), [managedLabel]: 'true' };
}

/** podIdentityLabels name the pod a sandbox or container belongs to. */
export function podIdentityLabels(pod: Pod): Record<string, string> {
  return {
    [podNameLabel]: pod.metadata?.name ?? '',
    [podNamespaceLabel]: pod.metadata?.namespace ?? '',
    [podUidLabel]: pod.metadata?.uid ?? '',
  };
}

/** containerLabels are a container's CRI labels. */
export function containerLabels(pod: Pod, c: Container): Record<string, string> {
  return { ...podIdentityLabels(pod), [containerNameLabel]: c.name, [managedLabel]: 'true' };
}

/** hashContainer fingerprints a container's spec (resources aside, as upstream): a changed hash restarts it. */
export function hashContainer(c: Container): string {
  const { resources: _resources, ...rest } = c;
  return createHash('sha256').update(stableJson(rest)).digest('hex').slice(0, 8);
}

/** stableJson is JSON with object keys sorted, so equal values hash alike. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** podFullName is the kubelet's "name_namespace(uid)" that appears in messages. */
export function podFullName(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/** containerKinds lists every container of a pod with its kind, in start order: init containers (and sidecars), then app containers. */
export function containerKinds(pod: Pod): { c: Container; kind: ContainerKind }[] {
  return [
    ...(pod.spec?.initContainers ?? []).map((c) => ({ c, kind: (c.restartPolicy === 'Always' ? 'sidecar' : 'init') as ContainerKind })),
    ...(pod.spec?.containers ?? []).map((c) => ({ c, kind: 'app' as ContainerKind })),
  ];
}

/** fieldPathOf is the field path events about a container carry: spec.containers{name}, spec.initContainers{name} or spec.ephemeralContainers{name}. */
export function fieldPathOf(kind: ContainerKind, name: string): string {
  if (kind === 'ephemeral') return `spec.ephemeralContainers{${name}}`;
  return kind === 'app' ? `spec.containers{${name}}` : `spec.initContainers{${name}}`;
}

/** podRef is a pod with its kind set, as events about it need. */
export function podRef(pod: Pod): Pod & { metadata: NonNullable<Pod['metadata']> } {
  return { ...pod, apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} };
}
