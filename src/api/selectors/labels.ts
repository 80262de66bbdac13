import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest } from '../errors.ts';
import { aggregateMessage, fieldInvalid, isQualifiedName, isValidLabelValue } from './validation.ts';

/** LabelOperator is upstream's selection.Operator as it appears in a label requirement. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** Labels is a label set as it appears in metadata.labels. */
export type Labels = Readonly<Record<string, string>>;

/** Requirement is one term of a label selector: a key, an operator and its values. */
export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

/** LabelSelector is a parsed label selector: the AND of its requirements, compiled for fast matching. */
export interface LabelSelector {
  /** requirements are sorted by key, as upstream keeps them. */
  readonly requirements: readonly Requirement[];
  /** matches tells whether a label set satisfies every requirement. */
  matches(labels: Labels | undefined): boolean;
  /** isEverything is true when the selector does not restrict anything (upstream's Empty). */
  isEverything(): boolean;
  /** isNothing is true for the selector that matches no object (a null metav1.LabelSelector). */
  isNothing(): boolean;
  /** toString renders the canonical form, e.g. "a=b,c in (x,y),!d". */
  toString(): string;
  /** requiresExactMatch returns the single value key must have, if the selector pins one. */
  requiresExactMatch(key: string): string | undefined;
}

const noLabels: Labels = Object.freeze({});

/** validateRequirement checks a requirement as upstream's NewRequirement does; it returns the aggregated message, or undefined when valid. */
export function validateRequirement(key: string, operator: LabelOperator, values: readonly string[] | null): string | undefined {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(fieldInvalid('key', key, keyErrs.join('; ')));
  const vals = values ?? [];
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(fieldInvalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(fieldInvalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(fieldInvalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(fieldInvalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(fieldInvalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default: {
      const unknown: never = operator;
      errs.push(`operator: Unsupported value: ${String(unknown)}`);
    }
  }
  vals.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(fieldInvalid(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs.length > 0 ? aggregateMessage(errs) : undefined;
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** parseInt64 parses a base-10 integer as Go's strconv.ParseInt(s, 10, 64): optional sign, digits, int64 range. */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < int64Min || n > int64Max ? undefined : n;
}

type Matcher = (labels: Labels) => boolean;

// Each requirement becomes one closure, so matching a list of objects does no per-object parsing.
function compileRequirement(r: Requirement): Matcher {
  const { key, values } = r;
  const has = (labels: Labels): boolean => Object.hasOwn(labels, key);
  let contains: (v: string | undefined) => boolean;
  if (values.length === 1) {
    const only = values[0];
    contains = (v) => v === only;
  } else if (values.length <= 8) {
    contains = (v) => v !== undefined && values.includes(v);
  } else {
    // A long "in (...)" list is worth a hash lookup per object.
    const set = new Set(values);
    contains = (v) => v !== undefined && set.has(v);
  }
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return (labels) => has(labels) && contains(labels[key]);
    case 'notin':
    case '!=':
      return (labels) => !has(labels) || !contains(labels[key]);
    case 'exists':
      return has;
    case '!':
      return (labels) => !has(labels);
    case 'gt':
    case 'lt': {
      const bound = values.length === 1 ? parseInt64(values[0] ?? '') : undefined;
      if (bound === undefined) return () => false;
      const greater = r.operator === 'gt';
      return (labels) => {
        if (!has(labels)) return false;
        const n = parseInt64(labels[key] ?? '');
        if (n === undefined) return false;
        return greater ? n > bound : n < bound;
      };
    }
    default: {
      const unknown: never = r.operator;
      throw new Error(`unknown label operator ${String(unknown)}`);
    }
  }
}

const operatorText: Record<LabelOperator, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '' };

/** requirementString renders one requirement canonically (values sorted, as upstream's String does). */
export function requirementString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? (r.values[0] ?? '') : [...r.values].sort(compareStrings).join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${operatorText[r.operator]}${set ? `(${values})` : values}`;
}

/** compareStrings orders strings by UTF-16 code units, matching Go's byte order for the label alphabet. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** newLabelSelector builds a selector from already validated requirements, sorting them by key (stable). */
export function newLabelSelector(requirements: readonly Requirement[]): LabelSelector {
  const sorted = [...requirements].sort((a, b) => compareStrings(a.key, b.key));
  const matchers = sorted.map(compileRequirement);
  const text = sorted.map(requirementString).join(',');
  const first = matchers[0];
  const matches: (labels: Labels | undefined) => boolean =
    matchers.length === 0
      ? () => true
      : matchers.length === 1 && first
        ? (labels) => first(labels ?? noLabels)
        : (labels) => {
            const l = labels ?? noLabels;
            for (const m of matchers) if (!m(l)) return false;
            return true;
          };
  return Object.freeze({
    requirements: Object.freeze(sorted),
    matches,
    isEverything: () => sorted.length === 0,
    isNothing: () => false,
    toString: () => text,
    requiresExactMatch(key: string): string | undefined {
      const r = sorted.find((x) => x.key === key);
      if (!r || (r.operator !== '=' && r.operator !== '==' && r.operator !== 'in') || r.values.length !== 1) return undefined;
      return r.values[0];
    },
  });
}

const everythingSelector = newLabelSelector([]);
const nothingSelector: LabelSelector = Object.freeze({
  requirements: Object.freeze([]),
  matches: () => false,
  isEverything: () => false,
  isNothing: () => true,
  toString: () => '',
  requiresExactMatch: () => undefined,
});

/** everything is the selector that matches every label set. */
export function everything(): LabelSelector {
  return everythingSelector;
}

/** nothing is the selector that matches no label set. */
export function nothing(): LabelSelector {
  return nothingSelector;
}

/** selectorFromSet matches exactly the given labels; like upstream it does not validate them, and an empty set matches everything. */
export function selectorFromSet(set: Labels | undefined): LabelSelector {
  if (!set) return everythingSelector;
  const keys = Object.keys(set);
  if (keys.length === 0) return everythingSelector;
  return newLabelSelector(keys.map((key) => ({ key, operator: '=', values: [set[key] ?? ''] })));
}

const expressionOperators = new Map<string, LabelOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
]);

/** fromLabelSelector converts a metav1.LabelSelector as upstream's LabelSelectorAsSelector: null matches nothing, empty matches everything. */
export function fromLabelSelector(ls: MetaLabelSelector | null | undefined): LabelSelector {
  if (ls === null || ls === undefined) return nothingSelector;
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels);
  if (labelKeys.length + expressions.length === 0) return everythingSelector;
  const requirements: Requirement[] = [];
  for (const key of labelKeys) requirements.push(checked(key, '=', [matchLabels[key] ?? '']));
  for (const expr of expressions) {
    const operator = expressionOperators.get(expr.operator);
    if (operator === undefined) throw badRequest(`"${expr.operator}" is not a valid label selector operator`);
    // Upstream copies Values with append([]string(nil), ...), so an empty list reads as nil in messages.
    const values = expr.values && expr.values.length > 0 ? [...expr.values] : null;
    requirements.push(checked(expr.key, operator, values));
  }
  return newLabelSelector(requirements);
}

function checked(key: string, operator: LabelOperator, values: string[] | null): Requirement {
  const err = validateRequirement(key, operator, values);
  if (err !== undefined) throw badRequest(err);
  return { key, operator, values: values ?? [] };
}

/** formatLabelSelector renders a metav1.LabelSelector as upstream's FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: MetaLabelSelector | null | undefined): string {
  try {
    return fromLabelSelector(ls).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

/** formatLabels renders a label map as upstream's FormatLabels: sorted k=v pairs, or "<none>". */
export function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '<none>';
  const text = Object.keys(labels)
    .sort(compareStrings)
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join(',');
  return text || '<none>';
}
