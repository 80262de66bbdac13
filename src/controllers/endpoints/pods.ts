import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { selectorFromSet } from '../../api/selectors/index.ts';
import type { Informer } from '../../client/index.ts';

// What the Endpoints and EndpointSlice controllers share: which pods back a Service, whether a pod counts,
// how a Service port maps onto a pod's port, and the DNS hostname of a pod behind a headless Service.

/** lastChangeTriggerTimeAnnotation carries the time of the change that led to an Endpoints or EndpointSlice write. */
export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
/** headlessLabel marks the Endpoints and slices of a Service with clusterIP None. */
export const headlessLabel = 'service.kubernetes.io/headless';

/** ServiceObj and PodObj are the informer shapes. */
export type ServiceObj = Service & ApiObject;
/** PodObj is a Pod as an informer holds it. */
export type PodObj = Pod & ApiObject;

/** hasSelector tells whether the controllers manage the Service's endpoints (a Service without a selector is left alone). */
export function hasSelector(svc: Service): boolean {
  return svc.spec?.selector !== undefined && svc.spec.selector !== null && svc.spec.type !== 'ExternalName';
}

/** podsForService lists the pods of the Service's namespace its selector matches. */
export function podsForService(svc: Service, pods: Informer<PodObj>): PodObj[] {
  const sel = selectorFromSet(svc.spec?.selector ?? {});
  return pods.store.byIndex('namespace', svc.metadata?.namespace ?? '').filter((p) => sel.matches(p.metadata?.labels ?? {}));
}

/** servicesForPod names the "ns/name" keys of Services whose selector matches any of the pods' label sets. */
export function servicesForPod(services: Informer<ServiceObj>, ...pods: PodObj[]): string[] {
  const keys = new Set<string>();
  for (const p of pods) {
    const ns = p.metadata?.namespace ?? '';
    for (const svc of services.store.byIndex('namespace', ns)) {
      if (!hasSelector(svc)) continue;
      if (selectorFromSet(svc.spec?.selector ?? {}).matches(p.metadata?.labels ?? {})) keys.add(`${ns}/${svc.metadata?.name ?? ''}`);
    }
  }
  return [...keys];
}

/** isPodReady reads the pod's Ready condition. */
export function isPodReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** shouldPodBeInEndpoints is upstream's test: the pod has an IP, has not ended, and (unless terminating ones are wanted) is not being deleted. */
export function shouldPodBeInEndpoints(p: Pod, includeTerminating: boolean): boolean {
  if (!p.status?.podIP && !(p.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && p.metadata?.deletionTimestamp) return false;
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

/** findPort resolves a Service port's targetPort on a pod: a number as is, a name through the containers' named ports of the same protocol. */
export function findPort(p: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of p.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target && (cp.protocol ?? 'TCP') === protocol) return cp.containerPort;
  }
  return undefined;
}

/** hostnameFor is the pod's hostname when it sits behind a headless Service that is its subdomain. */
export function hostnameFor(p: Pod, svc: Service): string | undefined {
  if (svc.spec?.clusterIP !== 'None') return undefined;
  if (!p.spec?.hostname || p.spec.subdomain !== svc.metadata?.name || p.metadata?.namespace !== svc.metadata?.namespace) return undefined;
  return p.spec.hostname;
}

/** triggerTime approximates upstream's TriggerTimeTracker: the latest change among the Service and its pods (Ready transitions, creations, deletions). */
export function triggerTime(svc: Service, pods: Pod[]): string | undefined {
  let t = Date.parse(svc.metadata?.creationTimestamp ?? '') || 0;
  for (const p of pods) {
    const ready = (p.status?.conditions ?? []).find((c) => c.type === 'Ready')?.lastTransitionTime;
    for (const s of [ready, p.metadata?.creationTimestamp, p.metadata?.deletionTimestamp]) if (s) t = Math.max(t, Date.parse(s) || 0);
  }
  return t ? new Date(t).toISOString().replace('.000Z', 'Z') : undefined;
}

/** serviceLabels are the Service's labels plus the headless marker, as upstream copies them onto Endpoints and slices. */
export function serviceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}
