import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { newLabelSelector, selectorFromSet, type LabelOperator, type LabelSelector, type Labels } from '../../api/selectors/index.ts';
import { validateRequirement } from '../../api/selectors/labels.ts';

// Node selector matching (upstream's component-helpers nodeaffinity): nodeSelector terms are ORed, the expressions
// and fields inside a term are ANDed, an empty term matches nothing, and a term that does not parse never matches.

/** NodeTarget is what node selectors look at: labels and the name (matchFields supports only metadata.name). */
export interface NodeTarget {
  readonly labels: Labels;
  readonly name: string;
}

const operators: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

function labelSelectorOf(reqs: readonly NodeSelectorRequirement[]): LabelSelector | undefined {
  const out = [];
  for (const r of reqs) {
    const op = operators[r.operator];
    if (op === undefined) return undefined;
    const values = r.values ?? [];
    if (validateRequirement(r.key, op, op === 'exists' || op === '!' ? values : values.length > 0 ? values : null) !== undefined) return undefined;
    out.push({ key: r.key, operator: op, values });
  }
  return newLabelSelector(out);
}

type NameMatcher = (name: string) => boolean;

function fieldMatcherOf(reqs: readonly NodeSelectorRequirement[]): NameMatcher | undefined {
  const checks: NameMatcher[] = [];
  for (const r of reqs) {
    const values = r.values ?? [];
    if (r.key !== 'metadata.name' || values.length !== 1) return undefined;
    const v = values[0];
    if (r.operator === 'In') checks.push((name) => name === v);
    else if (r.operator === 'NotIn') checks.push((name) => name !== v);
    else return undefined;
  }
  return (name) => checks.every((c) => c(name));
}

/** compileTerm turns a NodeSelectorTerm into a matcher; empty or unparsable terms match nothing. */
export function compileTerm(term: NodeSelectorTerm): (node: NodeTarget) => boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return () => false;
  const labels = labelSelectorOf(exprs);
  const names = fieldMatcherOf(fields);
  if (!labels || !names) return () => false;
  return (node) => labels.matches(node.labels) && names(node.name);
}

/** compileNodeSelector returns a matcher for a NodeSelector: any of its terms matches. */
export function compileNodeSelector(selector: NodeSelector): (node: NodeTarget) => boolean {
  const terms = selector.nodeSelectorTerms.map(compileTerm);
  return (node) => terms.some((t) => t(node));
}

/** RequiredNodeAffinity is a pod's nodeSelector plus required node affinity, compiled once per pod. */
export interface RequiredNodeAffinity {
  /** empty is true when the pod constrains nothing. */
  readonly empty: boolean;
  match(node: NodeTarget): boolean;
}

/** requiredNodeAffinity compiles the pod's spec.nodeSelector and requiredDuringScheduling node affinity (both must hold). */
export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const nodeSelector = pod.spec?.nodeSelector;
  const hasSelector = nodeSelector !== undefined && Object.keys(nodeSelector).length > 0;
  const selector = hasSelector ? selectorFromSet(nodeSelector) : undefined;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required ? compileNodeSelector(required) : undefined;
  if (!selector && !terms) return { empty: true, match: () => true };
  return {
    empty: false,
    match: (node) => (!selector || selector.matches(node.labels)) && (!terms || terms(node)),
  };
}

/** PreferredTerms scores a node by the summed weight of the preferred terms it matches. */
export interface PreferredTerms {
  readonly empty: boolean;
  score(node: NodeTarget): number;
}

/** preferredSchedulingTerms compiles preferred terms; terms with weight 0 or an empty preference are ignored, as upstream. */
export function preferredSchedulingTerms(terms: readonly PreferredSchedulingTerm[] | undefined): PreferredTerms {
  const compiled = (terms ?? [])
    .filter((t) => t.weight !== 0 && ((t.preference.matchExpressions ?? []).length > 0 || (t.preference.matchFields ?? []).length > 0))
    .map((t) => ({ weight: t.weight, match: compileTerm(t.preference) }));
  return {
    empty: compiled.length === 0,
    score: (node) => {
      let s = 0;
      for (const t of compiled) if (t.match(node)) s += t.weight;
      return s;
    },
  };
}

/** nodeNamesFromAffinity returns the node names a pod's required affinity pins via matchFields metadata.name In, or undefined when any term allows other nodes. */
export function nodeNamesFromAffinity(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    const pinned = (term.matchFields ?? []).find((f) => f.key === 'metadata.name' && f.operator === 'In' && (f.values ?? []).length === 1);
    if (!pinned) return undefined;
    for (const v of pinned.values ?? []) names.add(v);
  }
  return names;
}
