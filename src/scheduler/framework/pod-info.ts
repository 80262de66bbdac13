import type { Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { fromLabelSelector, nothing, type LabelSelector, type Labels } from '../../api/selectors/index.ts';
import { podRequests, type Resource } from './resources.ts';

// PodInfo is a pod plus everything the scheduler derives from it once (requests, affinity terms, host ports), so the
// per-node work in filters and scores never re-parses the spec (upstream's framework.PodInfo).

/** AffinityTerm is a parsed PodAffinityTerm: the namespaces and selectors it applies to and its topology key. */
export interface AffinityTerm {
  /** id is the same for terms that select the same pods by the same topology key (index and cache key). */
  readonly id: string;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelector: LabelSelector;
  readonly selector: LabelSelector;
  readonly topologyKey: string;
}

/** WeightedAffinityTerm is a preferred affinity term with its weight. */
export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

/** HostPort is one host port a pod binds: ip defaults to 0.0.0.0 and protocol to TCP. */
export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** PodInfo is a pod with its derived scheduling data. */
export interface PodInfo {
  readonly pod: Pod;
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** requests is what the pod needs (NodeResourcesFit). */
  readonly requests: Resource;
  /** nonZeroRequests counts 100m/200Mi for containers without cpu/memory requests (scoring). */
  readonly nonZeroRequests: Resource;
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  readonly hostPorts: readonly HostPort[];
  readonly priority: number;
  /** hasAffinity is true when the pod has any pod affinity or anti-affinity (upstream's PodsWithAffinity). */
  readonly hasAffinity: boolean;
  readonly terminating: boolean;
}

const noLabels: Labels = Object.freeze({});

/** podKey identifies a pod in the snapshot and queue: its uid, or namespace/name when it has none (tests, assumed copies keep the uid). */
export function podKey(pod: Pod): string {
  const uid = pod.metadata?.uid;
  if (uid !== undefined && uid !== '') return uid;
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

/** podPriority returns spec.priority, 0 when unset (upstream's corev1helpers.PodPriority). */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

function safeSelector(build: () => LabelSelector): LabelSelector {
  try {
    return build();
  } catch {
    // Upstream drops a term whose selector does not parse; matching nothing is the same outcome here.
    return nothing();
  }
}

/** selectorId renders a selector for use in a map key, telling the selector that matches nothing apart from the empty one. */
export function selectorId(s: LabelSelector): string {
  return s.isNothing() ? '!' : `=${s.toString()}`;
}

/** newAffinityTerm parses a PodAffinityTerm for a pod; no namespaces and no namespaceSelector mean the pod's own namespace. */
export function newAffinityTerm(namespace: string, term: PodAffinityTerm): AffinityTerm {
  const namespaces = term.namespaces ?? [];
  const ns = namespaces.length === 0 && term.namespaceSelector == null ? new Set([namespace]) : new Set(namespaces);
  const namespaceSelector = safeSelector(() => fromLabelSelector(term.namespaceSelector));
  const selector = safeSelector(() => fromLabelSelector(term.labelSelector));
  const id = [[...ns].sort().join(','), selectorId(namespaceSelector), selectorId(selector), term.topologyKey].join('\x00');
  return { id, namespaces: ns, namespaceSelector, selector, topologyKey: term.topologyKey };
}

/** termIgnoresNamespaceLabels tells whether a term's namespaces are fixed: no namespaceSelector, or the empty one (all namespaces). */
export function termIgnoresNamespaceLabels(term: AffinityTerm): boolean {
  return term.namespaceSelector.isNothing() || term.namespaceSelector.isEverything();
}

/**
 * affinityTermMatches tells whether a pod is selected by a term: its labels match and its namespace is listed or
 * selected. namespaceLabels is only consulted for terms with a namespaceSelector, since looking it up costs more.
 */
export function affinityTermMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels?: (namespace: string) => Labels | undefined): boolean {
  if (!term.selector.matches(pod.labels)) return false;
  if (term.namespaces.has(pod.namespace)) return true;
  // An empty namespaceSelector selects every namespace, known or not, as upstream's labels.Everything() does.
  if (term.namespaceSelector.isEverything()) return true;
  if (term.namespaceSelector.isNothing() || !namespaceLabels) return false;
  const labels = namespaceLabels(pod.namespace);
  return labels !== undefined && term.namespaceSelector.matches(labels);
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const port = p.hostPort ?? 0;
      if (port <= 0) continue;
      out.push({ ip: p.hostIP === undefined || p.hostIP === '' ? '0.0.0.0' : p.hostIP, protocol: p.protocol ?? 'TCP', port });
    }
  }
  return out;
}

/** newPodInfo derives a PodInfo from a pod. */
export function newPodInfo(pod: Pod): PodInfo {
  const namespace = pod.metadata?.namespace ?? 'default';
  const affinity = pod.spec?.affinity;
  const podAffinity = affinity?.podAffinity;
  const podAnti = affinity?.podAntiAffinity;
  const required = (terms: PodAffinityTerm[] | undefined): AffinityTerm[] => (terms ?? []).map((t) => newAffinityTerm(namespace, t));
  const preferred = (terms: { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined): WeightedAffinityTerm[] =>
    (terms ?? []).map((t) => ({ ...newAffinityTerm(namespace, t.podAffinityTerm), weight: t.weight }));
  return {
    pod,
    key: podKey(pod),
    namespace,
    labels: pod.metadata?.labels ?? noLabels,
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, { nonMissing: true }),
    requiredAffinityTerms: required(podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: required(podAnti?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: preferred(podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: preferred(podAnti?.preferredDuringSchedulingIgnoredDuringExecution),
    hostPorts: hostPortsOf(pod),
    priority: podPriority(pod),
    hasAffinity: podAffinity != null || podAnti != null,
    terminating: pod.metadata?.deletionTimestamp != null,
  };
}

/** podStartTime returns status.startTime in ms, or the fallback (upstream uses "now" for pods not yet started). */
export function podStartTime(pod: Pod, fallback: number): number {
  const t = pod.status?.startTime;
  if (t === undefined) return fallback;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? fallback : ms;
}
