import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js';

/** reasonCodes maps each Kubernetes StatusReason Berth uses to its HTTP code. */
export const reasonCodes = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const;

/** StatusReason is one of the reasons in reasonCodes. */
export type StatusReason = keyof typeof reasonCodes;

/** CauseType is the upstream field error type (metav1.CauseType), as shown in details.causes[].reason. */
export type CauseType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid'
  | 'UnexpectedServerResponse'
  | 'FieldManagerConflict'
  | 'ResourceVersionTooLarge';

/** FieldError is one invalid field, as upstream's field.Error: a path such as spec.containers[0].image, a type and a detail. */
export interface FieldError {
  type: CauseType;
  field: string;
  /** value is the offending value, when it helps the message (omitted for Required/Forbidden). */
  value?: unknown;
  detail: string;
}

/** GroupKind names the kind an error is about, for details.group/kind. */
export interface Qualified {
  group: string;
  kind: string;
  name?: string;
}

/** ApiError is the one error type of the API: it carries the Status the client receives. */
export class ApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details: Status['details'];

  constructor(reason: StatusReason, message: string, details?: Status['details'], code?: number) {
    super(message);
    this.name = 'ApiError';
    this.reason = reason;
    this.code = code ?? reasonCodes[reason];
    this.details = details;
  }

  /** toStatus renders the error as a metav1 Status object. */
  toStatus(): Status {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }

  /** fromUnknown normalises any thrown value into an ApiError (InternalError for unexpected ones). */
  static fromUnknown(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new ApiError('InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  }
}

/** resourceLabel formats "deployments.apps" or "pods", as upstream messages name a resource. */
function resourceLabel(q: { group: string; resource: string }): string {
  return q.group ? `${q.resource}.${q.group}` : q.resource;
}

/** notFound is upstream's NewNotFound: `pods "x" not found`. */
export function notFound(q: { group: string; resource: string }, name: string): ApiError {
  return new ApiError('NotFound', `${resourceLabel(q)} "${name}" not found`, { name, group: q.group, kind: q.resource });
}

/** alreadyExists is upstream's NewAlreadyExists: `pods "x" already exists`. */
export function alreadyExists(q: { group: string; resource: string }, name: string): ApiError {
  return new ApiError('AlreadyExists', `${resourceLabel(q)} "${name}" already exists`, { name, group: q.group, kind: q.resource });
}

/** conflict is upstream's NewConflict: `Operation cannot be fulfilled on pods "x": <why>`. */
export function conflict(q: { group: string; resource: string }, name: string, why: string): ApiError {
  return new ApiError('Conflict', `Operation cannot be fulfilled on ${resourceLabel(q)} "${name}": ${why}`, { name, group: q.group, kind: q.resource });
}

/** staleObjectMessage is the reason upstream gives for a resourceVersion conflict. */
export const staleObjectMessage = 'the object has been modified; please apply your changes to the latest version and try again';

/** badRequest is a 400 with a message. */
export function badRequest(message: string): ApiError {
  return new ApiError('BadRequest', message);
}

/** formatFieldError renders one field error the way upstream's field.Error.Error() does. */
export function formatFieldError(e: FieldError): string {
  const detail = e.detail;
  switch (e.type) {
    case 'FieldValueRequired':
      return `${e.field}: Required value${detail ? `: ${detail}` : ''}`;
    case 'FieldValueForbidden':
      return `${e.field}: Forbidden${detail ? `: ${detail}` : ''}`;
    case 'FieldValueTooLong':
      return `${e.field}: Too long${detail ? `: ${detail}` : ''}`;
    case 'FieldValueTooMany':
      return `${e.field}: Too many${detail ? `: ${detail}` : ''}`;
    case 'FieldValueNotFound':
      return `${e.field}: Not found: ${formatValue(e.value)}`;
    case 'FieldValueDuplicate':
      return `${e.field}: Duplicate value: ${formatValue(e.value)}`;
    case 'FieldValueNotSupported':
      return `${e.field}: Unsupported value: ${formatValue(e.value)}${detail ? `: ${detail}` : ''}`;
    case 'FieldValueInvalid':
    case 'FieldValueTypeInvalid':
      return `${e.field}: Invalid value: ${formatValue(e.value)}${detail ? `: ${detail}` : ''}`;
    default:
      return `${e.field}: ${detail}`;
  }
}

function formatValue(v: unknown): string {
  if (v === undefined) return '""';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** invalid is upstream's NewInvalid: 422 with one cause per field error. */
export function invalid(q: { group: string; kind: string }, name: string, errors: readonly FieldError[]): ApiError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: formatFieldError(e).slice(e.field.length + 2), field: e.field }));
  const summary = errors.length === 1 ? formatFieldError(errors[0] as FieldError) : `[${errors.map(formatFieldError).join(', ')}]`;
  const kindLabel = q.group ? `${q.kind}.${q.group}` : q.kind;
  return new ApiError('Invalid', `${kindLabel} "${name}" is invalid: ${summary}`, { name, group: q.group, kind: q.kind, causes });
}

/** isApiError tells whether err is an ApiError, optionally with a given reason. */
export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.reason === reason);
}
