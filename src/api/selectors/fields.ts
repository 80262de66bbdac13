import { badRequest } from '../errors.ts';
import { compareStrings } from './labels.ts';

/** Fields is the flat field set of one object (upstream's fields.Set): a missing field reads as "". */
export type Fields = Readonly<Record<string, string>>;

/** FieldTerm is one term of a field selector; "==" is stored as "=", as upstream does. */
export interface FieldTerm {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** FieldTransform rewrites one term's field and value (upstream's TransformFunc); it throws to reject the term. */
export type FieldTransform = (field: string, value: string) => { field: string; value: string };

/** FieldSelector is a parsed field selector: the AND of its terms. */
export interface FieldSelector {
  readonly terms: readonly FieldTerm[];
  /** matches tells whether a field set satisfies every term. */
  matches(fields: Fields): boolean;
  /** isEverything is true when the selector does not restrict anything. */
  isEverything(): boolean;
  /** toString renders the selector with values escaped, e.g. "a=b,c!=d". */
  toString(): string;
  /** requiresExactMatch returns the value an "=" term pins the field to, if any. */
  requiresExactMatch(field: string): string | undefined;
  /** transform returns a copy with every term rewritten by fn. */
  transform(fn: FieldTransform): FieldSelector;
}

function fieldValue(fields: Fields, field: string): string {
  return Object.hasOwn(fields, field) ? (fields[field] ?? '') : '';
}

/** newFieldSelector builds a selector from terms, keeping their order. */
export function newFieldSelector(terms: readonly FieldTerm[]): FieldSelector {
  const frozen = Object.freeze(terms.map((t) => Object.freeze({ ...t })));
  const text = frozen.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
  return Object.freeze({
    terms: frozen,
    matches(fields: Fields): boolean {
      for (const t of frozen) {
        const equal = fieldValue(fields, t.field) === t.value;
        if (equal !== (t.operator === '=')) return false;
      }
      return true;
    },
    isEverything: () => frozen.length === 0,
    toString: () => text,
    requiresExactMatch(field: string): string | undefined {
      return frozen.find((t) => t.field === field && t.operator === '=')?.value;
    },
    transform(fn: FieldTransform): FieldSelector {
      return newFieldSelector(frozen.map((t) => ({ ...fn(t.field, t.value), operator: t.operator })));
    },
  });
}

const everythingFields = newFieldSelector([]);

/** everythingFieldSelector is the field selector that matches every object. */
export function everythingFieldSelector(): FieldSelector {
  return everythingFields;
}

/** fieldSelectorFromSet matches exactly the given fields. */
export function fieldSelectorFromSet(set: Fields): FieldSelector {
  return newFieldSelector(Object.keys(set).map((field) => ({ field, operator: '=', value: set[field] ?? '' })));
}

/** escapeFieldValue escapes \, "," and "=" so a literal value can sit in a field selector (upstream's EscapeValue). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** unescapeFieldValue reverses escapeFieldValue, rejecting bare "," or "=" and unknown escapes with upstream's messages. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v, which is its code point number.
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

// Commas split terms unless escaped; the escape stays in the term for unescapeFieldValue.
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

// The left-hand side has no escaping, so the first operator found splits the term.
function splitTerm(term: string): { lhs: string; op: (typeof termOperators)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** parseFieldSelector parses the fieldSelector query syntax ("a=b,c!=d", values escaped with \) with upstream's rules and messages. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort(compareStrings);
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    terms.push({ field: split.lhs, operator: split.op === '!=' ? '!=' : '=', value: unescapeFieldValue(split.rhs) });
  }
  return newFieldSelector(terms);
}
