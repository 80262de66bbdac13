import { ApiError, badRequest } from '../../api/errors.ts';
import type { DeleteOptions, WriteOptions } from '../registry/store.ts';
import { parseJson } from '../body.ts';

/** FieldValidation is the fieldValidation query parameter. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** writeOptions parses dryRun, fieldManager and fieldValidation of a write. */
export function writeOptions(q: URLSearchParams): WriteOptions & { fieldValidation: FieldValidation } {
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) {
    if (d !== 'All') throw new ApiError('BadRequest', `Invalid dryRun value: ${d}: supported values: "All"`);
  }
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    throw badRequest(`fieldValidation parameter unsupported: ${fv}. Expected one of: Ignore, Warn, Strict`);
  }
  const manager = q.get('fieldManager') ?? undefined;
  if (manager !== undefined && manager.length > 128) throw badRequest('fieldManager: Too long: must have at most 128 bytes');
  return { dryRun: dryRun.length > 0, ...(manager === undefined ? {} : { fieldManager: manager }), fieldValidation: fv };
}

/** intParam parses an integer query parameter, refusing garbage with a 400. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid ${name} parameter: ${v}`);
  return Number(v);
}

/** deleteOptions merges DeleteOptions from the body (kubectl sends them there) and the query. */
export function deleteOptions(q: URLSearchParams, body: Uint8Array | null): DeleteOptions {
  const out: DeleteOptions = {};
  if (body && body.byteLength > 0) {
    const parsed = parseJson(new TextDecoder().decode(body));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const o = parsed as Record<string, unknown>;
      if (typeof o.gracePeriodSeconds === 'number') out.gracePeriodSeconds = o.gracePeriodSeconds;
      if (o.propagationPolicy !== undefined) out.propagationPolicy = propagation(String(o.propagationPolicy));
      if (o.orphanDependents === true) out.propagationPolicy = 'Orphan';
      if (o.orphanDependents === false && !out.propagationPolicy) out.propagationPolicy = 'Background';
      if (Array.isArray(o.dryRun) && o.dryRun.length > 0) out.dryRun = true;
      const pre = o.preconditions as { uid?: unknown; resourceVersion?: unknown } | undefined;
      if (pre && typeof pre === 'object') {
        out.preconditions = {};
        if (typeof pre.uid === 'string') out.preconditions.uid = pre.uid;
        if (typeof pre.resourceVersion === 'string') out.preconditions.resourceVersion = pre.resourceVersion;
      }
    }
  }
  const g = intParam(q, 'gracePeriodSeconds');
  if (g !== undefined) out.gracePeriodSeconds = g;
  const p = q.get('propagationPolicy');
  if (p) out.propagationPolicy = propagation(p);
  if (q.get('orphanDependents') === 'true') out.propagationPolicy = 'Orphan';
  if (q.getAll('dryRun').includes('All')) out.dryRun = true;
  return out;
}

function propagation(p: string): 'Orphan' | 'Background' | 'Foreground' {
  if (p === 'Orphan' || p === 'Background' || p === 'Foreground') return p;
  throw new ApiError('Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan"`, {
    causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: "${p}": supported values: "Foreground", "Background", "Orphan"` }],
  });
}
