import type {
  Affinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm, PodDNSConfig, Toleration, TopologySpreadConstraint,
} from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, forbidden, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { validateLabelName, validateLabelSelector } from '../validation/label-selector.ts';
import { isDNS1123Subdomain, isValidLabelValue } from '../validation/names.ts';
import { validateNamespaceName } from '../validation/meta.ts';
import { validateIP } from '../validation/network.ts';

// The scheduling-related parts of a pod spec: tolerations, affinity, topology spread and DNS configuration.

const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** validateTaintEffect is upstream's validateTaintEffect. */
export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: string): FieldError[] {
  if (!allowEmpty && !effect) return [required(path)];
  return effects.includes(effect ?? '') ? [] : [notSupported(path, effect ?? '', effects)];
}

/** validateTolerations is upstream's ValidateTolerations. */
export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const idx = indexPath(path, i);
    if (t.key) errs.push(...validateLabelName(t.key, childPath(idx, 'key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalidValue(childPath(idx, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalidValue(childPath(idx, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length > 0) errs.push(invalidValue(childPath(idx, 'operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalidValue(childPath(idx, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(childPath(idx, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, childPath(idx, 'effect')));
  });
  return errs;
}

function validateNodeSelectorRequirement(rq: NodeSelectorRequirement, checkValues: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = rq.values ?? [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(childPath(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(childPath(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(childPath(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalidValue(childPath(path, 'operator'), rq.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(rq.key, childPath(path, 'key')));
  if (checkValues) values.forEach((v, i) => errs.push(...invalidEach(indexPath(childPath(path, 'values'), i), v, isValidLabelValue(v))));
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, checkValues: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((rq, j) => errs.push(...validateNodeSelectorRequirement(rq, checkValues, indexPath(childPath(path, 'matchExpressions'), j))));
  (term.matchFields ?? []).forEach((rq, j) => {
    const fp = indexPath(childPath(path, 'matchFields'), j);
    if (rq.operator !== 'In' && rq.operator !== 'NotIn') errs.push(invalidValue(childPath(fp, 'operator'), rq.operator, 'not a valid selector operator'));
    else if ((rq.values ?? []).length !== 1) errs.push(required(childPath(fp, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    if (rq.key !== 'metadata.name') errs.push(invalidValue(childPath(fp, 'key'), rq.key, 'not a valid field selector key'));
    else (rq.values ?? []).forEach((v, k) => errs.push(...invalidEach(indexPath(childPath(fp, 'values'), k), v, isDNS1123Subdomain(v))));
  });
  return errs;
}

/** validateNodeSelector is upstream's ValidateNodeSelector (required node affinity, PV node affinity). */
export function validateNodeSelector(sel: NodeSelector, checkValues: boolean, path: string): FieldError[] {
  const termsPath = childPath(path, 'nodeSelectorTerms');
  const terms = sel.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(termsPath, 'must have at least one node selector term')];
  return terms.flatMap((term, i) => validateNodeSelectorTerm(term, checkValues, indexPath(termsPath, i)));
}

function validatePodAffinityTerm(term: PodAffinityTerm, path: string): FieldError[] {
  const errs = [...validateLabelSelector(term.labelSelector, childPath(path, 'labelSelector')), ...validateLabelSelector(term.namespaceSelector, childPath(path, 'namespaceSelector'))];
  for (const ns of term.namespaces ?? []) errs.push(...invalidEach(childPath(path, 'namespace'), ns, validateNamespaceName(ns, false)));
  if (!term.topologyKey) errs.push(required(childPath(path, 'topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(term.topologyKey ?? '', childPath(path, 'topologyKey')));
  return errs;
}

/** validateAffinity is upstream's validateAffinity. */
export function validateAffinity(affinity: Affinity | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na?.requiredDuringSchedulingIgnoredDuringExecution) {
    errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, true, childPath(path, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution')));
  }
  (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
    const tp = indexPath(childPath(path, 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    if (t.weight <= 0 || t.weight > 100) errs.push(invalidValue(childPath(tp, 'weight'), t.weight, 'must be in the range 1-100'));
    // Preferred terms may carry label values the scheduler will simply never match.
    errs.push(...validateNodeSelectorTerm(t.preference, false, childPath(tp, 'preference')));
  });
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = affinity[kind];
    if (!pa) continue;
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, indexPath(childPath(path, kind, 'requiredDuringSchedulingIgnoredDuringExecution'), i)));
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = indexPath(childPath(path, kind, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      if (t.weight <= 0 || t.weight > 100) errs.push(invalidValue(childPath(tp, 'weight'), t.weight, 'must be in the range 1-100'));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm, childPath(tp, 'podAffinityTerm')));
    });
  }
  return errs;
}

/** validateTopologySpreadConstraints is upstream's validateTopologySpreadConstraints. */
export function validateTopologySpreadConstraints(constraints: readonly TopologySpreadConstraint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints ?? [];
  list.forEach((c, i) => {
    const p = indexPath(path, i);
    if (c.maxSkew <= 0) errs.push(invalidValue(childPath(p, 'maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(childPath(p, 'topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable)) errs.push(notSupported(childPath(p, 'whenUnsatisfiable'), c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(duplicate(childPath(p, '{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(invalidValue(childPath(p, 'minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') errs.push(invalidValue(childPath(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
    }
    errs.push(...validateLabelSelector(c.labelSelector, childPath(p, 'labelSelector')));
  });
  return errs;
}

/** validateDNSConfig is upstream's validatePodDNSConfig. */
export function validateDNSConfig(config: PodDNSConfig | undefined, dnsPolicy: string | undefined, path: string): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!config) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((config.nameservers ?? []).length === 0) return [required(childPath(path, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!config) return [];
  const errs: FieldError[] = [];
  const ns = config.nameservers ?? [];
  if (ns.length > 3) errs.push(invalidValue(childPath(path, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((ip, i) => errs.push(...validateIP(indexPath(childPath(path, 'nameservers'), i), ip)));
  const searches = config.searches ?? [];
  if (searches.length > 32) errs.push(invalidValue(childPath(path, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalidValue(childPath(path, 'searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...invalidEach(indexPath(childPath(path, 'searches'), i), trimmed, isDNS1123Subdomain(trimmed)));
  });
  (config.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(required(indexPath(childPath(path, 'options'), i), 'must not be empty'));
  });
  return errs;
}
