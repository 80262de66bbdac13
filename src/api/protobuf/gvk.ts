import { hasMessage, messageFieldNames } from './plan.ts';

const metaPackage = 'k8s.io.apimachinery.pkg.apis.meta.v1';

// Kinds of meta.k8s.io/v1 that upstream registers in every group version (metav1.AddToGroupVersion and the
// unversioned Status/discovery types), so `v1 Status` or `apps/v1 DeleteOptions` decode as meta messages.
const metaKinds = new Set([
  'Status',
  'WatchEvent',
  'DeleteOptions',
  'CreateOptions',
  'UpdateOptions',
  'PatchOptions',
  'GetOptions',
  'ListOptions',
  'APIGroup',
  'APIGroupList',
  'APIResourceList',
  'APIVersions',
  'PartialObjectMetadata',
  'PartialObjectMetadataList',
]);

// Groups without a dot that are built in; every other built-in group is <label>.k8s.io.
const bareGroups = new Set(['apps', 'batch', 'autoscaling', 'policy', 'extensions']);

// Built-in groups whose package is not k8s.io.api.<first label>. The last two live outside k8s.io/api; the
// current descriptor does not hold them, so they stay JSON-only until it does.
const packageExceptions: Record<string, string> = {
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac',
  'flowcontrol.apiserver.k8s.io': 'k8s.io.api.flowcontrol',
  'internal.apiserver.k8s.io': 'k8s.io.api.apiserverinternal',
  'apiextensions.k8s.io': 'k8s.io.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'k8s.io.kube-aggregator.pkg.apis.apiregistration',
};

/** packageFor maps an apiVersion to the proto package of its built-in group, or undefined for other groups (CRDs). */
export function packageFor(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(version)) return undefined;
  if (group === '') return `k8s.io.api.core.${version}`;
  if (group === 'meta.k8s.io') return `k8s.io.apimachinery.pkg.apis.meta.${version}`;
  if (bareGroups.has(group)) return `k8s.io.api.${group}.${version}`;
  const exception = packageExceptions[group];
  if (exception) return `${exception}.${version}`;
  const m = /^([a-z0-9]+)\.k8s\.io$/.exec(group);
  return m ? `k8s.io.api.${m[1]}.${version}` : undefined;
}

const resolved = new Map<string, string | null>();

/**
 * messageForKind finds the message of a top-level object kind: the group's own message, else a meta.v1 kind.
 * Only kinds with metadata (objects and lists) or the meta kinds count, so `v1 PodSpec` is not an object.
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  const key = `${apiVersion}\u0000${kind}`;
  const cached = resolved.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const result = lookup(apiVersion, kind) ?? null;
  resolved.set(key, result);
  return result ?? undefined;
}

function lookup(apiVersion: string, kind: string): string | undefined {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  const pkg = packageFor(apiVersion);
  if (!pkg) return undefined;
  const own = `${pkg}.${kind}`;
  if (hasMessage(own) && (metaKinds.has(kind) || messageFieldNames(own).includes('metadata'))) return own;
  if (metaKinds.has(kind) && hasMessage(`${metaPackage}.${kind}`)) return `${metaPackage}.${kind}`;
  return undefined;
}
