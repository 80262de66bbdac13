import type { EnvFromSource, EnvVar, ObjectFieldSelector, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { isConfigMapKey, isEnvVarName, isQualifiedName, isRelaxedEnvVarName } from '../validation/names.ts';
import { nameIsDNSSubdomain } from '../validation/meta.ts';
import { formatQuantity, parseQuantity } from '../validation/quantity.ts';

// Environment variables and downward-API field selectors (ValidateEnv, ValidateEnvFrom, validateObjectFieldSelector,
// validateContainerResourceFieldSelector).

/** EnvOptions picks the env-name rule: relaxed (printable ASCII, current upstream default) or the older strict one. */
export interface EnvOptions {
  relaxedNames: boolean;
}

const envFieldPaths = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
// Every path the v1 downward API conversion understands; others fail before the per-use list is consulted.
const convertibleFieldPaths = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
  'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);
const resourceFieldPaths = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const cpuDivisors = new Set(['1m', '1']);
const sizeDivisors = new Set(['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei']);
const sizeDivisorList = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';

/** validateObjectFieldSelector is upstream's validateObjectFieldSelector for env vars and downward-API volumes. */
export function validateObjectFieldSelector(fs: ObjectFieldSelector, expressions: readonly string[], path: string): FieldError[] {
  if (!fs.apiVersion) return [required(childPath(path, 'apiVersion'))];
  if (!fs.fieldPath) return [required(childPath(path, 'fieldPath'))];
  const m = /^(.*)\['(.*)'\]$/.exec(fs.fieldPath);
  const base = m ? (m[1] ?? '') : fs.fieldPath;
  if (fs.apiVersion !== 'v1') return [invalidValue(childPath(path, 'fieldPath'), fs.fieldPath, `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`)];
  if (!convertibleFieldPaths.has(base) || (m && base !== 'metadata.annotations' && base !== 'metadata.labels')) {
    return [invalidValue(childPath(path, 'fieldPath'), fs.fieldPath, `error converting fieldPath: field label not supported: ${fs.fieldPath}`)];
  }
  if (m) {
    const subscript = m[2] ?? '';
    const key = base === 'metadata.annotations' ? subscript.toLowerCase() : subscript;
    return invalidEach(path, key, isQualifiedName(key));
  }
  return expressions.includes(base) ? [] : [notSupported(childPath(path, 'fieldPath'), base, expressions)];
}

/** validateResourceFieldSelector is upstream's validateContainerResourceFieldSelector (volume: containerName required). */
export function validateResourceFieldSelector(fs: ResourceFieldSelector, path: string, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const resource = fs.resource ?? '';
  if (volume && !fs.containerName) errs.push(required(childPath(path, 'containerName')));
  else if (!resource) errs.push(required(childPath(path, 'resource')));
  else if (!resourceFieldPaths.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
    errs.push(notSupported(childPath(path, 'resource'), resource, resourceFieldPaths));
  }
  if (fs.divisor === undefined) return errs;
  const r = parseQuantity(fs.divisor);
  if (!r.ok) return [...errs, invalidValue(childPath(path, 'divisor'), fs.divisor, r.error)];
  if (r.quantity.nanos === 0n) return errs;
  const divisor = formatQuantity(r.quantity);
  const divPath = childPath(path, 'divisor');
  if (resource === 'limits.cpu' || resource === 'requests.cpu') {
    if (!cpuDivisors.has(divisor)) errs.push(invalidValue(divPath, resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
  } else if (resource === 'limits.memory' || resource === 'requests.memory') {
    if (!sizeDivisors.has(divisor)) errs.push(invalidValue(divPath, resource, `only divisor's values ${sizeDivisorList} are supported with the memory resource`));
  } else if (resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') {
    if (!sizeDivisors.has(divisor)) errs.push(invalidValue(divPath, resource, `only divisor's values ${sizeDivisorList} are supported with the local ephemeral storage resource`));
  }
  if ((resource.startsWith('requests.hugepages-') || resource.startsWith('limits.hugepages-')) && !sizeDivisors.has(divisor)) {
    errs.push(invalidValue(divPath, resource, `only divisor's values ${sizeDivisorList} are supported with the hugepages resource`));
  }
  return errs;
}

function validateKeySelector(ref: { name?: string; key: string }, path: string): FieldError[] {
  const errs = invalidEach(childPath(path, 'name'), ref.name ?? '', nameIsDNSSubdomain(ref.name ?? '', false));
  if (!ref.key) errs.push(required(childPath(path, 'key')));
  else errs.push(...invalidEach(childPath(path, 'key'), ref.key, isConfigMapKey(ref.key)));
  return errs;
}

function envNameErrors(name: string, opts: EnvOptions): string[] {
  return opts.relaxedNames ? isRelaxedEnvVarName(name) : isEnvVarName(name);
}

/** validateEnv is upstream's ValidateEnv: names, and exactly one valueFrom source unless a literal value is set. */
export function validateEnv(vars: readonly EnvVar[] | undefined, path: string, opts: EnvOptions): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const idx = indexPath(path, i);
    if (!ev.name) errs.push(required(childPath(idx, 'name')));
    else errs.push(...invalidEach(childPath(idx, 'name'), ev.name, envNameErrors(ev.name, opts)));
    const vf = ev.valueFrom;
    if (!vf) return;
    const vfPath = childPath(idx, 'valueFrom');
    let n = 0;
    if (vf.fieldRef) {
      n++;
      errs.push(...validateObjectFieldSelector(vf.fieldRef, envFieldPaths, childPath(vfPath, 'fieldRef')));
    }
    if (vf.resourceFieldRef) {
      n++;
      errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, childPath(vfPath, 'resourceFieldRef'), false));
    }
    if (vf.configMapKeyRef) {
      n++;
      errs.push(...validateKeySelector(vf.configMapKeyRef, childPath(vfPath, 'configMapKeyRef')));
    }
    if (vf.secretKeyRef) {
      n++;
      errs.push(...validateKeySelector(vf.secretKeyRef, childPath(vfPath, 'secretKeyRef')));
    }
    if (n === 0) errs.push(invalidValue(vfPath, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(invalidValue(vfPath, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(invalidValue(vfPath, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** validateEnvFrom is upstream's ValidateEnvFrom: a valid prefix and exactly one of configMapRef or secretRef. */
export function validateEnvFrom(sources: readonly EnvFromSource[] | undefined, path: string, opts: EnvOptions): FieldError[] {
  const errs: FieldError[] = [];
  (sources ?? []).forEach((ev, i) => {
    const idx = indexPath(path, i);
    if (ev.prefix) errs.push(...invalidEach(childPath(idx, 'prefix'), ev.prefix, envNameErrors(ev.prefix, opts)));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = ev[kind];
      if (!ref) continue;
      n++;
      if (!ref.name) errs.push(required(childPath(idx, kind, 'name')));
      else errs.push(...invalidEach(childPath(idx, kind, 'name'), ref.name, nameIsDNSSubdomain(ref.name, true)));
    }
    if (n === 0) errs.push(invalidValue(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalidValue(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
