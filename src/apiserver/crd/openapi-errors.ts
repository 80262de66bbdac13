import type { FieldError } from '../../api/errors.ts';

// kube-openapi reports errors as its own Validation values; apiextensions-apiserver then maps each to a
// field.Error (kubeOpenAPIResultToFieldErrors). RawError is the first form, toFieldErrors the mapping.

/** RawError is one kube-openapi validation error before conversion to a field error. */
export type RawError =
  | { kind: 'required'; name: string; msg: string }
  | { kind: 'enum'; name: string; value: unknown; labels: readonly string[]; msg: string }
  | { kind: 'tooLong'; name: string; value: unknown; max: number; msg: string }
  | { kind: 'tooMany'; name: string; actual: number; max: number; msg: string }
  | { kind: 'type'; name: string; value: unknown; msg: string }
  | { kind: 'invalid'; name: string; value: unknown; msg: string }
  | { kind: 'composite'; msg: string };

/** inBody is how kube-openapi names a value in messages: "spec.replicas in body". */
export function inBody(path: string): string {
  return `${path} in body`;
}

/** typeError is kube-openapi's InvalidType with the offending JSON type (or format) as the value. */
export function typeError(path: string, typeName: string, actual: string): RawError {
  return { kind: 'type', name: path, value: actual, msg: `${inBody(path)} must be of type ${typeName}: ${JSON.stringify(actual)}` };
}

/** invalidError is any kube-openapi error that upstream reports as "Invalid value". */
export function invalidError(path: string, value: unknown, detail: string): RawError {
  return { kind: 'invalid', name: path, value, msg: `${inBody(path)} ${detail}` };
}

/** compositeError is an anyOf/oneOf/allOf/not failure, which upstream reports against the whole object. */
export function compositeError(msg: string): RawError {
  return { kind: 'composite', msg };
}

/** tooLongDetail is field.TooLong's message. */
export function tooLongDetail(max: number): string {
  return `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`;
}

/**
 * tooManyDetail is field.TooMany's message with the count in front: formatFieldError prints no value for
 * TooMany, so the count upstream shows travels in the detail (as src/api/validation's tooMany does).
 */
export function tooManyDetail(actual: number, max: number): string {
  return `${actual}: must have at most ${max} items`;
}

/** dedupeRaw drops repeated messages, as kube-openapi's Result.AddErrors does. */
export function dedupeRaw(errs: readonly RawError[]): RawError[] {
  if (errs.length < 2) return [...errs];
  const seen = new Set<string>();
  const out: RawError[] = [];
  for (const e of errs) {
    const key = `${e.kind}\u0000${e.msg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/**
 * toFieldErrors maps kube-openapi errors to field errors under base (null at an object's root, where
 * upstream passes a nil path: errors without a field print as "<nil>").
 */
export function toFieldErrors(errs: readonly RawError[], base: string | null): FieldError[] {
  const root = base ?? '<nil>';
  const fieldOf = (name: string): string => {
    if (name === '' || name === '.') return root;
    const child = name.startsWith('.') ? name.slice(1) : name;
    return base === null ? child : `${base}.${child}`;
  };
  return dedupeRaw(errs).map((e): FieldError => {
    switch (e.kind) {
      case 'required':
        return { type: 'FieldValueRequired', field: fieldOf(e.name), detail: '' };
      case 'enum':
        return {
          type: 'FieldValueNotSupported',
          field: fieldOf(e.name),
          value: e.value ?? null,
          detail: e.labels.length > 0 ? `supported values: ${e.labels.join(', ')}` : '',
        };
      case 'tooLong':
        return { type: 'FieldValueTooLong', field: fieldOf(e.name), value: e.value, detail: tooLongDetail(e.max) };
      case 'tooMany':
        return { type: 'FieldValueTooMany', field: fieldOf(e.name), value: e.actual, detail: tooManyDetail(e.actual, e.max) };
      case 'type':
        return { type: 'FieldValueTypeInvalid', field: fieldOf(e.name), value: e.value ?? '', detail: e.msg };
      case 'invalid':
        return { type: 'FieldValueInvalid', field: fieldOf(e.name), value: e.value ?? '', detail: e.msg };
      case 'composite':
        return { type: 'FieldValueInvalid', field: root, value: '', detail: e.msg };
      default: {
        const never: never = e;
        return never;
      }
    }
  });
}
