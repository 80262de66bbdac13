import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Pod, PodSecurityContext, PodSpec, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, forbidden, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { validateLabels } from '../validation/label-selector.ts';
import { inclusiveRangeError, isDNS1123Label, isValidGroupID, isValidUserID } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateAnnotations, validateObjectMeta, validateQualifiedName } from '../validation/meta.ts';
import { validateIP } from '../validation/network.ts';
import { validateContainers, validateEphemeralContainers, validateInitContainers, type ContainerContext } from './container-validation.ts';
import { validateSeccompProfile } from './probe-validation.ts';
import { validateAffinity, validateDNSConfig, validateTolerations, validateTopologySpreadConstraints } from './scheduling-validation.ts';
import { validateVolumes } from './volume-validation.ts';
import { validateResourceRequirements } from './resources.ts';

// PodSpec, Pod and PodTemplateSpec validation on create (ValidatePodSpec, ValidatePodCreate, ValidatePodTemplateSpec).

/** PodSpecOptions tells validatePodSpec whether it checks a Pod (stricter host ports) and which env-name rule applies. */
export interface PodSpecOptions {
  resourceIsPod: boolean;
  /** strictEnvNames selects the pre-RelaxedEnvironmentVariableValidation rule (default: relaxed, as current upstream). */
  strictEnvNames?: boolean;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

function validatePodSecurityContext(sc: PodSecurityContext | undefined, spec: PodSpec, path: string): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.fsGroup !== undefined) errs.push(...invalidEach(childPath(path, 'fsGroup'), sc.fsGroup, isValidGroupID(sc.fsGroup)));
  if (sc.runAsUser !== undefined) errs.push(...invalidEach(childPath(path, 'runAsUser'), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (sc.runAsGroup !== undefined) errs.push(...invalidEach(childPath(path, 'runAsGroup'), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  (sc.supplementalGroups ?? []).forEach((g, i) => errs.push(...invalidEach(indexPath(childPath(path, 'supplementalGroups'), i), g, isValidGroupID(g))));
  if (spec.shareProcessNamespace && spec.hostPID) errs.push(invalidValue(childPath(path, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  const names = new Set<string>();
  (sc.sysctls ?? []).forEach((s, i) => {
    const np = childPath(indexPath(childPath(path, 'sysctls'), i), 'name');
    if (!s.name) errs.push(required(np));
    else if (s.name.length > 253 || !/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(s.name)) {
      errs.push(invalidValue(np, s.name, 'must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$'));
    } else if (names.has(s.name)) errs.push(duplicate(np, s.name));
    names.add(s.name);
  });
  const enums: [string, string[]][] = [['fsGroupChangePolicy', ['Always', 'OnRootMismatch']], ['supplementalGroupsPolicy', ['Merge', 'Strict']], ['seLinuxChangePolicy', ['MountOption', 'Recursive']]];
  for (const [f, allowed] of enums) {
    const v = (sc as Record<string, unknown>)[f];
    if (typeof v === 'string' && !allowed.includes(v)) errs.push(notSupported(childPath(path, f), v, allowed));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, childPath(path, 'seccompProfile')));
  return errs;
}

function validateHostNetworkPorts(spec: PodSpec, path: string, resourceIsPod: boolean): FieldError[] {
  if (!spec.hostNetwork) return [];
  const errs: FieldError[] = [];
  (spec.containers ?? []).forEach((c, i) => {
    (c.ports ?? []).forEach((p, j) => {
      const hp = p.hostPort ?? 0;
      // A template may leave hostPort unset: the pod's defaulting copies containerPort into it.
      if ((resourceIsPod || hp !== 0) && hp !== p.containerPort) {
        const portPath = indexPath(childPath(indexPath(childPath(path, 'containers'), i), 'ports'), j);
        errs.push(invalidValue(childPath(portPath, 'hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  });
  return errs;
}

/** validatePodSpec is upstream's ValidatePodSpec; podMeta (for a Pod) lets ephemeral volume claim names be checked. */
export function validatePodSpec(spec: PodSpec | undefined, podMeta: ObjectMeta | undefined, path: string, opts: PodSpecOptions): FieldError[] {
  const s = spec ?? ({ containers: [] } as PodSpec);
  const errs: FieldError[] = [];
  const grace = s.terminationGracePeriodSeconds ?? undefined;
  if (grace === undefined || grace === null) errs.push(required(childPath(path, 'terminationGracePeriodSeconds')));
  const hostUsers = s.hostUsers !== false;
  const vols = validateVolumes(s.volumes, podMeta?.name || undefined, childPath(path, 'volumes'));
  errs.push(...vols.errs);
  const claimNames = new Set<string>();
  (s.resourceClaims ?? []).forEach((c, i) => {
    const np = childPath(indexPath(childPath(path, 'resourceClaims'), i), 'name');
    if (!c.name) errs.push(required(np));
    else if (claimNames.has(c.name)) errs.push(duplicate(np, c.name));
    else errs.push(...invalidEach(np, c.name, isDNS1123Label(c.name)));
    if (c.name) claimNames.add(c.name);
  });
  const ctx: ContainerContext = { volumes: vols.volumes, claimNames, gracePeriod: grace ?? undefined, restartPolicy: s.restartPolicy ?? '', hostUsers, env: { relaxedNames: !opts.strictEnvNames } };
  errs.push(...validateContainers(s.containers, ctx, childPath(path, 'containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, ctx, childPath(path, 'initContainers')));
  errs.push(...validateEphemeralContainers(s.ephemeralContainers, s.containers, s.initContainers, ctx, childPath(path, 'ephemeralContainers')));
  errs.push(...validateHostNetworkPorts(s, path, opts.resourceIsPod));
  if (!s.restartPolicy) errs.push(required(childPath(path, 'restartPolicy')));
  else if (!restartPolicies.includes(s.restartPolicy)) errs.push(notSupported(childPath(path, 'restartPolicy'), s.restartPolicy, restartPolicies));
  if (!s.dnsPolicy) errs.push(required(childPath(path, 'dnsPolicy')));
  else if (!dnsPolicies.includes(s.dnsPolicy)) errs.push(notSupported(childPath(path, 'dnsPolicy'), s.dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, childPath(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(s.securityContext, s, childPath(path, 'securityContext')));
  (s.imagePullSecrets ?? []).forEach((ref, i) => {
    if (Object.keys(ref).some((k) => k !== 'name')) errs.push(invalidValue(indexPath(childPath(path, 'imagePullSecrets'), i), ref, 'only name may be set'));
  });
  errs.push(...validateAffinity(s.affinity, childPath(path, 'affinity')));
  errs.push(...validateDNSConfig(s.dnsConfig, s.dnsPolicy, childPath(path, 'dnsConfig')));
  (s.readinessGates ?? []).forEach((g, i) => errs.push(...validateQualifiedName(g.conditionType, childPath(indexPath(childPath(path, 'readinessGates'), i), 'conditionType'))));
  const gates = new Set<string>();
  (s.schedulingGates ?? []).forEach((g, i) => {
    const gp = indexPath(childPath(path, 'schedulingGates'), i);
    errs.push(...validateQualifiedName(g.name, gp));
    if (gates.has(g.name)) errs.push(duplicate(gp, g.name));
    gates.add(g.name);
  });
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, childPath(path, 'topologySpreadConstraints')));
  if (s.hostUsers === false) {
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (s[f]) errs.push(forbidden(childPath(path, f === 'hostNetwork' ? f : f.replace('host', 'Host')), 'when `pod.Spec.HostUsers` is false'));
    }
  }
  if (s.serviceAccountName) errs.push(...invalidEach(childPath(path, 'serviceAccountName'), s.serviceAccountName, nameIsDNSSubdomain(s.serviceAccountName, false)));
  if (s.nodeName) errs.push(...invalidEach(childPath(path, 'nodeName'), s.nodeName, nameIsDNSSubdomain(s.nodeName, false)));
  const ads = s.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (ads < 1 || ads > 2147483647)) errs.push(invalidValue(childPath(path, 'activeDeadlineSeconds'), ads, inclusiveRangeError(1, 2147483647)));
  if (s.hostname) errs.push(...invalidEach(childPath(path, 'hostname'), s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) errs.push(...invalidEach(childPath(path, 'subdomain'), s.subdomain, isDNS1123Label(s.subdomain)));
  errs.push(...validateTolerations(s.tolerations, childPath(path, 'tolerations')));
  (s.hostAliases ?? []).forEach((a, i) => {
    const ap = indexPath(childPath(path, 'hostAliases'), i);
    errs.push(...validateIP(childPath(ap, 'ip'), a.ip ?? ''));
    (a.hostnames ?? []).forEach((h, j) => errs.push(...invalidEach(indexPath(childPath(ap, 'hostnames'), j), h, nameIsDNSSubdomain(h, false))));
  });
  if (s.priorityClassName) errs.push(...invalidEach(childPath(path, 'priorityClassName'), s.priorityClassName, nameIsDNSSubdomain(s.priorityClassName, false)));
  if (s.runtimeClassName !== undefined) errs.push(...invalidEach(childPath(path, 'runtimeClassName'), s.runtimeClassName, nameIsDNSSubdomain(s.runtimeClassName, false)));
  if (s.preemptionPolicy !== undefined) {
    if (!s.preemptionPolicy) errs.push(required(childPath(path, 'preemptionPolicy')));
    else if (!['PreemptLowerPriority', 'Never'].includes(s.preemptionPolicy)) errs.push(notSupported(childPath(path, 'preemptionPolicy'), s.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  // Upstream validates overhead as a container's limits, so its paths read "spec.overhead.limits[cpu]".
  if (s.overhead) errs.push(...validateResourceRequirements({ limits: s.overhead }, childPath(path, 'overhead'), claimNames));
  if (s.os) {
    if (!s.os.name) errs.push(required(childPath(path, 'os', 'name'), 'cannot be empty'));
    else if (!['linux', 'windows'].includes(s.os.name)) errs.push(notSupported(childPath(path, 'os'), s.os.name, ['linux', 'windows']));
  }
  return errs;
}

function validateImageWhitespace(containers: readonly { image?: string }[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    if (c.image !== undefined && c.image.trim() !== c.image) errs.push(invalidValue(childPath(indexPath(path, i), 'image'), c.image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}

/** validatePodMetadataAndSpec is what create and update share: metadata, spec, and the pod-only checks. */
export function validatePodMetadataAndSpec(pod: Pod, opts: Omit<PodSpecOptions, 'resourceIsPod'> = {}): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
  errs.push(...validatePodSpec(pod.spec, pod.metadata, 'spec', { ...opts, resourceIsPod: true }));
  if (!pod.spec?.serviceAccountName) {
    (pod.spec?.volumes ?? []).forEach((v, vi) => {
      (v.projected?.sources ?? []).forEach((src, si) => {
        if (src.serviceAccountToken) errs.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      });
    });
  }
  errs.push(...validateImageWhitespace(pod.spec?.containers, 'spec.containers'));
  errs.push(...validateImageWhitespace(pod.spec?.initContainers, 'spec.initContainers'));
  return errs;
}

/** validatePod is upstream's ValidatePodCreate. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (pod.spec?.nodeName && (pod.spec.schedulingGates ?? []).length > 0) errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

/** validatePodTemplateSpec is upstream's ValidatePodTemplateSpec, used by every workload kind. */
export function validatePodTemplateSpec(template: PodTemplateSpec | undefined, path: string): FieldError[] {
  const t = template ?? {};
  const errs = [...validateLabels(t.metadata?.labels, childPath(path, 'labels')), ...validateAnnotations(t.metadata?.annotations, childPath(path, 'annotations'))];
  errs.push(...validatePodSpec(t.spec, undefined, childPath(path, 'spec'), { resourceIsPod: false }));
  if ((t.spec?.ephemeralContainers ?? []).length > 0) errs.push(forbidden(childPath(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

