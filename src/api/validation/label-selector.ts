import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidEach, invalidValue, required } from './field.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

// metav1 label selector validation (ValidateLabelSelector) and the matching that the workload validations need to
// check a selector against its template's labels (metav1.LabelSelectorAsSelector + Matches).

/** validateLabelName is upstream's ValidateLabelName: a label key must be a qualified name. */
export function validateLabelName(key: string, path: string): FieldError[] {
  return invalidEach(path, key, isQualifiedName(key));
}

/** validateLabels is upstream's ValidateLabels; errors carry the map's path, not the key's, as upstream's do. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    errs.push(...invalidEach(path, v, isValidLabelValue(String(v))));
  }
  return errs;
}

function validateRequirement(req: LabelSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(childPath(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(childPath(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalidValue(childPath(path, 'operator'), req.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(req.key ?? '', childPath(path, 'key')));
  return errs;
}

/** validateLabelSelector is upstream's ValidateLabelSelector (with invalid label values in matchExpressions allowed, as upstream's default). */
export function validateLabelSelector(selector: LabelSelector | undefined, path: string): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, childPath(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((req, i) => {
    errs.push(...validateRequirement(req, indexPath(childPath(path, 'matchExpressions'), i)));
  });
  return errs;
}

/** SelectorMatcher is a converted selector: nothing (nil selector), everything (empty) or a list of requirements. */
export type SelectorMatcher =
  | { kind: 'nothing' }
  | { kind: 'everything' }
  | { kind: 'requirements'; requirements: { key: string; operator: string; values: string[] }[] };

/** labelSelectorAsMatcher converts a selector as LabelSelectorAsSelector does, or returns an error message. */
export function labelSelectorAsMatcher(selector: LabelSelector | undefined): SelectorMatcher | { error: string } {
  if (!selector) return { kind: 'nothing' };
  const requirements: { key: string; operator: string; values: string[] }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) requirements.push({ key, operator: 'In', values: [value] });
  for (const req of selector.matchExpressions ?? []) {
    const values = req.values ?? [];
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) return { error: `"${req.operator}" is not a valid label selector operator` };
    requirements.push({ key: req.key ?? '', operator: req.operator, values });
  }
  if (requirements.length === 0) return { kind: 'everything' };
  for (const r of requirements) {
    const keyErrs = isQualifiedName(r.key);
    if (keyErrs.length > 0) return { error: keyErrs.join('; ') };
    const needsValues = r.operator === 'In' || r.operator === 'NotIn';
    if (needsValues && r.values.length === 0) return { error: 'for \'in\', \'notin\' operators, values set can\'t be empty' };
    if (!needsValues && r.values.length > 0) return { error: 'values set must be empty for exists and does not exist' };
    for (const v of r.values) {
      const valueErrs = isValidLabelValue(v);
      if (valueErrs.length > 0) return { error: valueErrs.join('; ') };
    }
  }
  return { kind: 'requirements', requirements };
}

/** selectorMatches tells whether a converted selector matches a label set. */
export function selectorMatches(matcher: SelectorMatcher, labels: Record<string, string> | undefined): boolean {
  if (matcher.kind === 'nothing') return false;
  if (matcher.kind === 'everything') return true;
  const set = labels ?? {};
  return matcher.requirements.every((r) => {
    const has = Object.hasOwn(set, r.key);
    const v = set[r.key];
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(v as string);
      case 'NotIn':
        return !has || !r.values.includes(v as string);
      case 'Exists':
        return has;
      default:
        return !has;
    }
  });
}

/** isSelectorEmpty tells whether a selector has neither matchLabels nor matchExpressions. */
export function isSelectorEmpty(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0;
}
