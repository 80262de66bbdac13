import type {
  Container, EphemeralContainer, LifecycleHandler, ObjectFieldSelector, Pod, PodSpec, PodTemplateSpec, Probe,
  ResourceFieldSelector, Volume,
} from 'kubernetes-types/core/v1.js';
import { canonicalizeQuantityField, canonicalizeResourceList, type ResourceList } from './resources.ts';
import { defaultPersistentVolumeClaimSpec } from './volume-defaults.ts';

// Pod defaulting as pkg/apis/core/v1/defaults.go applies it (SetDefaults_PodSpec, _Container, _Probe, _Volume, ...).
// A few values upstream only shows because Go serializes zero-valued structs (container `resources: {}`, a field
// selector's `divisor: "0"`) are set here too, so Berth's objects read the same as upstream's.

/** defaultImagePullPolicy is Always for ":latest" or an untagged, undigested image, else IfNotPresent. */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'IfNotPresent';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon + 1) : at >= 0 ? '' : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultFieldRef(ref: ObjectFieldSelector | undefined): void {
  if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
}

function defaultResourceFieldRef(ref: ResourceFieldSelector | undefined): void {
  if (!ref) return;
  if (ref.divisor === undefined) ref.divisor = '0';
  else canonicalizeQuantityField(ref, 'divisor');
}

function defaultHandler(h: Pick<LifecycleHandler, 'httpGet'> & { grpc?: { service?: string } } | undefined): void {
  if (!h) return;
  if (h.httpGet) {
    if (!h.httpGet.path) h.httpGet.path = '/';
    if (!h.httpGet.scheme) h.httpGet.scheme = 'HTTP';
  }
  if (h.grpc && h.grpc.service === undefined) h.grpc.service = '';
}

/** defaultProbe fills timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3 and handler defaults. */
export function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHandler(probe);
}

/** defaultContainer is SetDefaults_Container plus the defaults of its ports, env, probes and lifecycle. */
export function defaultContainer(c: Container | EphemeralContainer): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultImagePullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  if (!c.resources) c.resources = {};
  canonicalizeResourceList(c.resources.limits as ResourceList | undefined);
  canonicalizeResourceList(c.resources.requests as ResourceList | undefined);
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    defaultFieldRef(e.valueFrom?.fieldRef);
    defaultResourceFieldRef(e.valueFrom?.resourceFieldRef);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const volumeSourceKeys = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
] as const;

/** VolumeSourceKey names one of a volume's source fields, in upstream's checking order. */
export type VolumeSourceKey = (typeof volumeSourceKeys)[number];

/** volumeSources lists the source fields a volume sets, in upstream's order. */
export function volumeSources(v: Volume): VolumeSourceKey[] {
  const rec = v as unknown as Record<string, unknown>;
  return volumeSourceKeys.filter((k) => rec[k] !== undefined && rec[k] !== null);
}

/** defaultVolume is SetDefaults_Volume (emptyDir when no source) plus each source's defaults. */
export function defaultVolume(v: Volume): void {
  if (volumeSources(v).length === 0) v.emptyDir = {};
  if (v.emptyDir) canonicalizeQuantityField(v.emptyDir, 'sizeLimit');
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = 0o644;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = 0o644;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = 0o644;
    for (const item of v.downwardAPI.items ?? []) {
      defaultFieldRef(item.fieldRef);
      defaultResourceFieldRef(item.resourceFieldRef);
    }
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = 0o644;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken && s.serviceAccountToken.expirationSeconds === undefined) s.serviceAccountToken.expirationSeconds = 3600;
      for (const item of s.downwardAPI?.items ?? []) {
        defaultFieldRef(item.fieldRef);
        defaultResourceFieldRef(item.resourceFieldRef);
      }
    }
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.iscsi && !v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
  if (v.rbd) {
    if (!v.rbd.pool) v.rbd.pool = 'rbd';
    if (!v.rbd.user) v.rbd.user = 'admin';
    if (!v.rbd.keyring) v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (v.azureDisk) {
    v.azureDisk.cachingMode ??= 'ReadWrite';
    v.azureDisk.kind ??= 'Shared';
    v.azureDisk.fsType ??= 'ext4';
    v.azureDisk.readOnly ??= false;
  }
  if (v.scaleIO) {
    if (!v.scaleIO.storageMode) v.scaleIO.storageMode = 'ThinProvisioned';
    if (!v.scaleIO.fsType) v.scaleIO.fsType = 'xfs';
  }
  const template = v.ephemeral?.volumeClaimTemplate;
  if (template?.spec) defaultPersistentVolumeClaimSpec(template.spec);
}

/** defaultPodSpec is SetDefaults_PodSpec (dnsPolicy, restartPolicy, securityContext, grace period, scheduler) plus nested defaults. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // v1 conversion keeps the deprecated serviceAccount field in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  canonicalizeResourceList(spec.overhead as ResourceList | undefined);
  const podResources = (spec as { resources?: { limits?: ResourceList; requests?: ResourceList } }).resources;
  canonicalizeResourceList(podResources?.limits);
  canonicalizeResourceList(podResources?.requests);
}

/** defaultPodTemplateSpec defaults the pod spec inside a workload's template. */
export function defaultPodTemplateSpec(template: PodTemplateSpec | undefined): void {
  if (!template) return;
  template.spec ??= { containers: [] };
  defaultPodSpec(template.spec);
}

function copyLimitsToRequests(containers: readonly Container[] | undefined): void {
  for (const c of containers ?? []) {
    const limits = c.resources?.limits;
    if (!limits || !c.resources) continue;
    const requests = (c.resources.requests ??= {});
    for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
  }
}

function defaultHostNetworkPorts(containers: readonly Container[] | undefined): void {
  for (const c of containers ?? []) for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
}

/** defaultPod is SetDefaults_Pod: pod spec defaults, requests from limits, enableServiceLinks, host-network ports. */
export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  defaultPodSpec(pod.spec);
  copyLimitsToRequests(pod.spec.containers);
  copyLimitsToRequests(pod.spec.initContainers);
  if (pod.spec.enableServiceLinks === undefined || pod.spec.enableServiceLinks === null) pod.spec.enableServiceLinks = true;
  if (pod.spec.hostNetwork) {
    defaultHostNetworkPorts(pod.spec.containers);
    defaultHostNetworkPorts(pod.spec.initContainers);
  }
}
