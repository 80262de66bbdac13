import type { Labels } from '../../api/selectors/index.ts';
import { bumpCount } from './domain-counts.ts';
import type { AffinityTerm, PodInfo } from './pod-info.ts';

// The (anti-)affinity terms of assigned pods, grouped by identity. Upstream visits every pod with affinity on every
// node in each cycle (HavePodsWithAffinityNodeInfoList) and tests each term against the incoming pod; here the pods of
// one workload, which share their terms, form one group, so a cycle tests each distinct term once and reads its
// per-domain weights.

/** TermGroup is one distinct term of assigned pods: the term, how many terms use it, and their weight per domain. */
export interface TermGroup {
  readonly term: AffinityTerm;
  /** weights sums, per value of the term's topology key, 1 per required term or the weight of a preferred one. */
  readonly weights: Map<string, number>;
  uses: number;
}

/** TermGroups maps a term id to its group. */
export type TermGroups = ReadonlyMap<string, TermGroup>;

function track(groups: Map<string, TermGroup>, term: AffinityTerm, weight: number, labels: Labels, by: 1 | -1): void {
  let g = groups.get(term.id);
  if (!g) {
    if (by < 0) return;
    groups.set(term.id, (g = { term, weights: new Map(), uses: 0 }));
  }
  g.uses += by;
  const value = labels[term.topologyKey];
  if (value !== undefined) bumpCount(g.weights, value, by * weight);
  if (g.uses === 0) groups.delete(term.id);
}

/** AffinityTermIndex groups the terms of assigned pods by kind, kept current by the snapshot. */
export class AffinityTermIndex {
  readonly #requiredAffinity = new Map<string, TermGroup>();
  readonly #requiredAntiAffinity = new Map<string, TermGroup>();
  readonly #preferredAffinity = new Map<string, TermGroup>();
  readonly #preferredAntiAffinity = new Map<string, TermGroup>();

  /** requiredAffinity groups required pod affinity terms (counted 1 per pod; hardPodAffinityWeight in scoring). */
  get requiredAffinity(): TermGroups {
    return this.#requiredAffinity;
  }
  /** requiredAntiAffinity groups required pod anti-affinity terms (upstream's existingAntiAffinityCounts source). */
  get requiredAntiAffinity(): TermGroups {
    return this.#requiredAntiAffinity;
  }
  /** preferredAffinity groups preferred pod affinity terms, weighted. */
  get preferredAffinity(): TermGroups {
    return this.#preferredAffinity;
  }
  /** preferredAntiAffinity groups preferred pod anti-affinity terms, weighted. */
  get preferredAntiAffinity(): TermGroups {
    return this.#preferredAntiAffinity;
  }

  /** podChanged adds (by 1) or removes (by -1) a pod's terms as placed on a node with the given labels. */
  podChanged(pi: PodInfo, labels: Labels, by: 1 | -1): void {
    if (!pi.hasAffinity) return;
    for (const t of pi.requiredAffinityTerms) track(this.#requiredAffinity, t, 1, labels, by);
    for (const t of pi.requiredAntiAffinityTerms) track(this.#requiredAntiAffinity, t, 1, labels, by);
    for (const t of pi.preferredAffinityTerms) track(this.#preferredAffinity, t, t.weight, labels, by);
    for (const t of pi.preferredAntiAffinityTerms) track(this.#preferredAntiAffinity, t, t.weight, labels, by);
  }
}
