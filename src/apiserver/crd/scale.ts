import type { CustomResourceSubresourceScale } from 'kubernetes-types/apiextensions/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import type { FieldError } from '../../api/errors.ts';
import type { ApiObject, Meta } from '../../api/object.ts';
import { goNumber } from './gofmt.ts';
import { cloneJson, isObject } from './schema.ts';

// The /scale subresource of a custom resource: reading and writing the replica counts and selector at
// the paths its CRD names (".spec.replicas"), as upstream's customresource scale storage does.

function fieldsOf(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.');
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

function show(v: unknown): string {
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** readNested returns the value at a dotted path, or undefined when a step is missing (upstream's NestedFieldNoCopy). */
function readNested(obj: unknown, fields: readonly string[]): { found: boolean; value: unknown; error?: string } {
  let cur: unknown = obj;
  for (let i = 0; i < fields.length; i++) {
    if (!isObject(cur)) {
      if (cur === undefined || cur === null) return { found: false, value: undefined };
      return { found: false, value: undefined, error: `${show(cur)} is of the type ${goTypeName(cur)}, expected map[string]interface{}` };
    }
    const f = fields[i] as string;
    if (!Object.hasOwn(cur, f)) return { found: false, value: undefined };
    cur = cur[f];
  }
  return { found: true, value: cur };
}

function nestedInt(obj: unknown, jsonPath: string): number {
  const fields = fieldsOf(jsonPath);
  const r = readNested(obj, fields);
  const where = `.${fields.join('.')}`;
  if (r.error) throw new Error(`${where} accessor error: ${r.error}`);
  if (!r.found || r.value === null) return 0;
  if (typeof r.value !== 'number' || !Number.isInteger(r.value)) {
    throw new Error(`${where} accessor error: ${show(r.value)} is of the type ${goTypeName(r.value)}, expected int64`);
  }
  return r.value;
}

function nestedString(obj: unknown, jsonPath: string): string {
  const fields = fieldsOf(jsonPath);
  const r = readNested(obj, fields);
  const where = `.${fields.join('.')}`;
  if (r.error) throw new Error(`${where} accessor error: ${r.error}`);
  if (!r.found || r.value === null) return '';
  if (typeof r.value !== 'string') throw new Error(`${where} accessor error: ${show(r.value)} is of the type ${goTypeName(r.value)}, expected string`);
  return r.value;
}

/** scaleOf builds the autoscaling/v1 Scale of a custom object; it throws when a path holds the wrong type. */
export function scaleOf(obj: ApiObject, scale: CustomResourceSubresourceScale): Scale {
  const meta = obj.metadata ?? {};
  const metadata: Meta = {};
  if (meta.name !== undefined) metadata.name = meta.name;
  if (meta.namespace !== undefined) metadata.namespace = meta.namespace;
  if (meta.uid !== undefined) metadata.uid = meta.uid;
  if (meta.resourceVersion !== undefined) metadata.resourceVersion = meta.resourceVersion;
  if (meta.creationTimestamp !== undefined) metadata.creationTimestamp = meta.creationTimestamp;
  // Upstream narrows to int32 on the way out.
  const toInt32 = (n: number): number => Number(BigInt.asIntN(32, BigInt(n)));
  const selector = scale.labelSelectorPath ? nestedString(obj, scale.labelSelectorPath) : '';
  const status: NonNullable<Scale['status']> = { replicas: toInt32(nestedInt(obj, scale.statusReplicasPath)) };
  if (selector !== '') status.selector = selector;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata,
    spec: { replicas: toInt32(nestedInt(obj, scale.specReplicasPath)) },
    status,
  };
}

/** applyScale returns a copy of obj with spec replicas set at the CRD's specReplicasPath (creating missing objects). */
export function applyScale(obj: ApiObject, replicas: number, scale: CustomResourceSubresourceScale): ApiObject {
  const out = cloneJson(obj);
  const fields = fieldsOf(scale.specReplicasPath);
  let cur: Record<string, unknown> = out;
  for (const f of fields.slice(0, -1)) {
    const next = cur[f];
    if (!isObject(next)) cur[f] = {};
    cur = cur[f] as Record<string, unknown>;
  }
  cur[fields[fields.length - 1] as string] = replicas;
  return out;
}

function replicasErrors(obj: ApiObject, jsonPath: string): FieldError[] {
  let n: number;
  try {
    n = nestedInt(obj, jsonPath);
  } catch (e) {
    return [{ type: 'FieldValueInvalid', field: jsonPath, value: 0, detail: e instanceof Error ? e.message : String(e) }];
  }
  if (n < 0) return [{ type: 'FieldValueInvalid', field: jsonPath, value: n, detail: 'should be a non-negative integer' }];
  if (n > 2147483647) return [{ type: 'FieldValueInvalid', field: jsonPath, value: n, detail: 'should be less than or equal to 2147483647' }];
  return [];
}

/** validateScaleSpec checks the spec replica count a custom object with a scale subresource carries. */
export function validateScaleSpec(obj: ApiObject, scale: CustomResourceSubresourceScale | undefined): FieldError[] {
  return scale ? replicasErrors(obj, scale.specReplicasPath) : [];
}

/** validateScaleStatus checks the status replica count and label selector (on status updates). */
export function validateScaleStatus(obj: ApiObject, scale: CustomResourceSubresourceScale | undefined): FieldError[] {
  if (!scale) return [];
  const errs = replicasErrors(obj, scale.statusReplicasPath);
  if (scale.labelSelectorPath) {
    try {
      nestedString(obj, scale.labelSelectorPath);
    } catch (e) {
      errs.push({ type: 'FieldValueInvalid', field: scale.labelSelectorPath, value: '', detail: e instanceof Error ? e.message : String(e) });
    }
  }
  return errs;
}
