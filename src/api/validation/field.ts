import type { FieldError } from '../errors.ts';

// Constructors for field errors with upstream's field.Error semantics (k8s.io/apimachinery/pkg/util/validation/field):
// the detail strings produced here, rendered by formatFieldError, read exactly as upstream's Error() does.

/** childPath appends dotted children to a field path, as field.Path.Child does ("spec" + "containers"). */
export function childPath(path: string, ...names: string[]): string {
  let out = path;
  for (const name of names) out = out === '' ? name : `${out}.${name}`;
  return out;
}

/** indexPath appends a list index, as field.Path.Index does ("spec.containers[0]"). */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** keyPath appends a map key, as field.Path.Key does ("metadata.labels[app]"). */
export function keyPath(path: string, key: string): string {
  return `${path}[${key}]`;
}

/** required is upstream's field.Required: "<path>: Required value[: detail]". */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail };
}

/** invalidValue is upstream's field.Invalid: "<path>: Invalid value: <value>: detail". */
export function invalidValue(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

/** notSupported is upstream's field.NotSupported: `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, value, detail };
}

/** forbidden is upstream's field.Forbidden: "<path>: Forbidden: detail". */
export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail };
}

/** duplicate is upstream's field.Duplicate: "<path>: Duplicate value: <value>". */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value, detail: '' };
}

/** notFound is upstream's field.NotFound: "<path>: Not found: <value>". */
export function notFound(field: string, value: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, value, detail: '' };
}

/** tooLong is upstream's field.TooLong: "<path>: Too long: must have at most N bytes". */
export function tooLong(field: string, maxLength: number): FieldError {
  return { type: 'FieldValueTooLong', field, detail: `must have at most ${maxLength} bytes` };
}

/** tooMany is upstream's field.TooMany: "<path>: Too many: <actual>: must have at most N items". */
export function tooMany(field: string, actual: number, max: number): FieldError {
  // formatFieldError prints no value for TooMany, so the count upstream shows travels in the detail.
  return { type: 'FieldValueTooMany', field, value: actual, detail: `${actual}: must have at most ${max} items` };
}

/** internalError is upstream's field.InternalError. */
export function internalError(field: string, detail: string): FieldError {
  return { type: 'InternalError', field, detail };
}

/** invalidEach turns a list of upstream messages (as the Is* name checks return) into Invalid errors. */
export function invalidEach(field: string, value: unknown, messages: readonly string[]): FieldError[] {
  return messages.map((m) => invalidValue(field, value, m));
}

/** immutableMessage is upstream's FieldImmutableErrorMsg. */
export const immutableMessage = 'field is immutable';

/** negativeMessage is upstream's IsNegativeErrorMsg. */
export const negativeMessage = 'must be greater than or equal to 0';
