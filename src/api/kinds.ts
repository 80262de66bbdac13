/** ResourceInfo describes one served resource: its kind, REST name, scope and what can be done to it. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** resource is the plural, lower-case REST name ("deployments"). */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** subresources lists the served subresources ("status", "scale", "log", ...). */
  subresources: string[];
  verbs: string[];
}

/** allVerbs are the verbs of an ordinary resource. */
export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** apiVersionOf joins a group and version as they appear in apiVersion ("v1", "apps/v1"). */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** parseApiVersion splits an apiVersion into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

interface Entry {
  kind: string;
  resource?: string;
  namespaced: boolean;
  shortNames?: string[];
  all?: boolean;
  sub?: string[];
  verbs?: string[];
}

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

const createOnly = ['create'];
const readOnly = ['get', 'list'];

// The built-in resources Berth serves, by group and version: kinds, short names, the "all" category
// and subresources as upstream's discovery documents list them for Kubernetes 1.32.
const builtins: Record<string, Entry[]> = {
  v1: [
    { kind: 'Namespace', namespaced: false, shortNames: ['ns'], sub: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    { kind: 'Pod', namespaced: true, shortNames: ['po'], all: true, sub: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'] },
    { kind: 'Service', namespaced: true, shortNames: ['svc'], all: true, sub: ['status', 'proxy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
    { kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'] },
    { kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
    { kind: 'Secret', namespaced: true },
    { kind: 'Node', namespaced: false, shortNames: ['no'], sub: ['status', 'proxy'] },
    { kind: 'Event', namespaced: true, shortNames: ['ev'] },
    { kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], sub: ['token'] },
    { kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], sub: ['status'] },
    { kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'], sub: ['status'] },
    { kind: 'ResourceQuota', namespaced: true, shortNames: ['quota'], sub: ['status'] },
    { kind: 'LimitRange', namespaced: true, shortNames: ['limits'] },
  ],
  'apps/v1': [
    { kind: 'Deployment', namespaced: true, shortNames: ['deploy'], all: true, sub: ['status', 'scale'] },
    { kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], all: true, sub: ['status', 'scale'] },
    { kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], all: true, sub: ['status', 'scale'] },
    { kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], all: true, sub: ['status'] },
    { kind: 'ControllerRevision', namespaced: true },
  ],
  'batch/v1': [
    { kind: 'Job', namespaced: true, all: true, sub: ['status'] },
    { kind: 'CronJob', namespaced: true, shortNames: ['cj'], all: true, sub: ['status'] },
  ],
  'autoscaling/v2': [{ kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], all: true, sub: ['status'] }],
  'autoscaling/v1': [{ kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], all: true, sub: ['status'] }],
  'networking.k8s.io/v1': [
    { kind: 'Ingress', namespaced: true, shortNames: ['ing'], sub: ['status'] },
    { kind: 'IngressClass', namespaced: false },
    { kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, shortNames: ['netpol'] },
  ],
  'discovery.k8s.io/v1': [{ kind: 'EndpointSlice', namespaced: true }],
  'coordination.k8s.io/v1': [{ kind: 'Lease', namespaced: true }],
  'events.k8s.io/v1': [{ kind: 'Event', namespaced: true, shortNames: ['ev'] }],
  'policy/v1': [{ kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], sub: ['status'] }],
  'scheduling.k8s.io/v1': [{ kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, shortNames: ['pc'] }],
  'storage.k8s.io/v1': [{ kind: 'StorageClass', resource: 'storageclasses', namespaced: false, shortNames: ['sc'] }],
  'rbac.authorization.k8s.io/v1': [
    { kind: 'Role', namespaced: true },
    { kind: 'RoleBinding', namespaced: true },
    { kind: 'ClusterRole', namespaced: false },
    { kind: 'ClusterRoleBinding', namespaced: false },
  ],
  'apiextensions.k8s.io/v1': [{ kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], sub: ['status'] }],
  'authorization.k8s.io/v1': [
    { kind: 'SelfSubjectAccessReview', namespaced: false, verbs: createOnly },
    { kind: 'SubjectAccessReview', namespaced: false, verbs: createOnly },
    { kind: 'LocalSubjectAccessReview', namespaced: true, verbs: createOnly },
    { kind: 'SelfSubjectRulesReview', namespaced: false, verbs: createOnly },
  ],
  'authentication.k8s.io/v1': [
    { kind: 'SelfSubjectReview', namespaced: false, verbs: createOnly },
    { kind: 'TokenReview', namespaced: false, verbs: createOnly },
  ],
  // Resource metrics: answered from the metrics pipeline's memory, never stored (metrics-server's API).
  'metrics.k8s.io/v1beta1': [
    { kind: 'NodeMetrics', resource: 'nodes', namespaced: false, verbs: readOnly },
    { kind: 'PodMetrics', resource: 'pods', namespaced: true, verbs: readOnly },
  ],
};

/** isMetricsResource tells whether a resource is one of metrics.k8s.io's, which are computed rather than stored. */
export function isMetricsResource(r: { group: string }): boolean {
  return r.group === 'metrics.k8s.io';
}

/** builtinResources lists every built-in resource Berth serves, in discovery order. */
export const builtinResources: readonly ResourceInfo[] = Object.entries(builtins).flatMap(([gv, entries]) => {
  const { group, version } = parseApiVersion(gv);
  return entries.map((e): ResourceInfo => ({
    group,
    version,
    kind: e.kind,
    listKind: `${e.kind}List`,
    resource: e.resource ?? plural(e.kind),
    singular: e.kind.toLowerCase(),
    namespaced: e.namespaced,
    shortNames: e.shortNames ?? [],
    categories: e.all ? ['all'] : [],
    subresources: e.sub ?? [],
    verbs: e.verbs ?? allVerbs,
  }));
});
