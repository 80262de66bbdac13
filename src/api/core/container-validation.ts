import type { Container, ContainerPort, EphemeralContainer, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, forbidden, indexPath, invalidEach, invalidValue, notFound, notSupported, required } from '../validation/field.ts';
import { isDNS1123Label, isValidPortName, isValidPortNum } from '../validation/names.ts';
import { validateEnv, validateEnvFrom, type EnvOptions } from './env-validation.ts';
import { validateLocalDescendingPath } from './paths.ts';
import { validateLifecycle, validateProbe, validateSecurityContext } from './probe-validation.ts';
import { validateResourceRequirements } from './resources.ts';

// Container validation (validateContainers, validateInitContainers, validateEphemeralContainers and the checks they
// share in validateContainerCommon).

/** ContainerContext carries what container validation needs from the enclosing pod spec. */
export interface ContainerContext {
  volumes: ReadonlyMap<string, Volume>;
  claimNames: ReadonlySet<string>;
  gracePeriod: number | undefined;
  restartPolicy: string;
  hostUsers: boolean;
  env: EnvOptions;
}

const protocols = ['SCTP', 'TCP', 'UDP'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];

function validatePorts(ports: readonly ContainerPort[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const idx = indexPath(path, i);
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length > 0) errs.push(...invalidEach(childPath(idx, 'name'), p.name, msgs));
      else if (names.has(p.name)) errs.push(duplicate(childPath(idx, 'name'), p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(childPath(idx, 'containerPort')));
    else errs.push(...invalidEach(childPath(idx, 'containerPort'), p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) errs.push(...invalidEach(childPath(idx, 'hostPort'), p.hostPort, isValidPortNum(p.hostPort)));
    if (!p.protocol) errs.push(required(childPath(idx, 'protocol')));
    else if (!protocols.includes(p.protocol)) errs.push(notSupported(childPath(idx, 'protocol'), p.protocol, protocols));
  });
  return errs;
}

function validateVolumeMounts(c: Container, volumes: ReadonlyMap<string, Volume>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name, d.devicePath]));
  (c.volumeMounts ?? []).forEach((m: VolumeMount, i) => {
    const idx = indexPath(path, i);
    if (!m.name) errs.push(required(childPath(idx, 'name')));
    if (!volumes.has(m.name)) errs.push(notFound(childPath(idx, 'name'), m.name ?? ''));
    if (!m.mountPath) errs.push(required(childPath(idx, 'mountPath')));
    if (mountPaths.has(m.mountPath)) errs.push(invalidValue(childPath(idx, 'mountPath'), m.mountPath, 'must be unique'));
    mountPaths.add(m.mountPath);
    if (devices.has(m.name)) errs.push(invalidValue(childPath(idx, 'name'), m.name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(m.mountPath)) errs.push(invalidValue(childPath(idx, 'mountPath'), m.mountPath, 'must not already exist as a path in volumeDevices'));
    // Upstream reports these two under the list's path, not the item's.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, childPath(path, 'subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalidValue(childPath(idx, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, childPath(path, 'subPathExpr')));
    }
    if (m.mountPropagation !== undefined) {
      const modes = ['Bidirectional', 'HostToContainer', 'None'];
      if (!modes.includes(m.mountPropagation)) errs.push(notSupported(childPath(path, 'mountPropagation'), m.mountPropagation, modes));
      if (m.mountPropagation === 'Bidirectional' && c.securityContext?.privileged !== true) {
        errs.push(forbidden(childPath(path, 'mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateContainerCommon(c: Container, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(childPath(path, 'name')));
  else errs.push(...invalidEach(childPath(path, 'name'), c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(required(childPath(path, 'image')));
  const tmp = c.terminationMessagePolicy ?? '';
  if (!tmp) errs.push(required(childPath(path, 'terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(notSupported(childPath(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validatePorts(c.ports, childPath(path, 'ports')));
  errs.push(...validateEnv(c.env, childPath(path, 'env'), ctx.env));
  errs.push(...validateEnvFrom(c.envFrom, childPath(path, 'envFrom'), ctx.env));
  errs.push(...validateVolumeMounts(c, ctx.volumes, childPath(path, 'volumeMounts')));
  const pull = c.imagePullPolicy ?? '';
  if (!pull) errs.push(required(childPath(path, 'imagePullPolicy')));
  else if (!pullPolicies.includes(pull)) errs.push(notSupported(childPath(path, 'imagePullPolicy'), pull, pullPolicies));
  errs.push(...validateResourceRequirements(c.resources, childPath(path, 'resources'), ctx.claimNames));
  (c.resizePolicy ?? []).forEach((p) => {
    if (!['cpu', 'memory'].includes(p.resourceName)) errs.push(notSupported(childPath(path, 'resizePolicy'), p.resourceName, ['cpu', 'memory']));
    if (!['NotRequired', 'RestartContainer'].includes(p.restartPolicy)) errs.push(notSupported(childPath(path, 'resizePolicy'), p.restartPolicy, ['NotRequired', 'RestartContainer']));
  });
  errs.push(...validateSecurityContext(c.securityContext, childPath(path, 'securityContext'), ctx.hostUsers));
  return errs;
}

/** hostPortConflicts is upstream's AccumulateUniqueHostPorts: one protocol/hostIP/hostPort per pod. */
export function hostPortConflicts(containers: readonly Container[], path: string, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(childPath(indexPath(childPath(indexPath(path, ci), 'ports'), pi), 'hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

/** validateContainers checks the regular containers: at least one, unique names, probes and lifecycle. */
export function validateContainers(containers: readonly Container[] | undefined, ctx: ContainerContext, path: string): FieldError[] {
  const list = containers ?? [];
  if (list.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = indexPath(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name)) errs.push(duplicate(childPath(p, 'name'), c.name));
    else names.add(c.name);
    if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, childPath(p, 'lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, 'livenessProbe', ctx.gracePeriod, childPath(p, 'livenessProbe')));
    errs.push(...validateProbe(c.readinessProbe, 'readinessProbe', ctx.gracePeriod, childPath(p, 'readinessProbe')));
    errs.push(...validateProbe(c.startupProbe, 'startupProbe', ctx.gracePeriod, childPath(p, 'startupProbe')));
    if (c.restartPolicy !== undefined) errs.push(forbidden(childPath(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return [...errs, ...hostPortConflicts(list, path)];
}

/** validateInitContainers checks init containers; only restartPolicy=Always sidecars may have probes or lifecycle. */
export function validateInitContainers(init: readonly Container[] | undefined, regular: readonly Container[] | undefined, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (init ?? []).forEach((c, i) => {
    const p = indexPath(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') errs.push(notSupported(childPath(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    const sidecar = c.restartPolicy === 'Always';
    if (names.has(c.name)) errs.push(duplicate(childPath(p, 'name'), c.name));
    else if (c.name) names.add(c.name);
    // Init containers run one at a time, so host ports only clash within one container.
    errs.push(...hostPortConflicts([c], path));
    if (sidecar) {
      if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, childPath(p, 'lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, 'livenessProbe', ctx.gracePeriod, childPath(p, 'livenessProbe')));
      errs.push(...validateProbe(c.readinessProbe, 'readinessProbe', ctx.gracePeriod, childPath(p, 'readinessProbe')));
      errs.push(...validateProbe(c.startupProbe, 'startupProbe', ctx.gracePeriod, childPath(p, 'startupProbe')));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[f]) errs.push(forbidden(childPath(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
      if ((c.resizePolicy ?? []).length > 0) errs.push(invalidValue(childPath(p, 'resizePolicy'), c.resizePolicy, 'must not be set for init containers'));
    }
  });
  return errs;
}

const ephemeralForbidden = ['ports', 'resources', 'lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** validateEphemeralContainers checks debug containers: names unique across the pod, a real target, no ports/probes/resources. */
export function validateEphemeralContainers(eph: readonly EphemeralContainer[] | undefined, containers: readonly Container[] | undefined, init: readonly Container[] | undefined, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const others = new Set([...(containers ?? []), ...(init ?? [])].map((c) => c.name));
  const all = new Set(others);
  (eph ?? []).forEach((c, i) => {
    const p = indexPath(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (c.image && c.image.trim() !== c.image) errs.push(invalidValue(childPath(p, 'image'), c.image, 'must not have leading or trailing whitespace'));
    if (all.has(c.name)) errs.push(duplicate(childPath(p, 'name'), c.name));
    else all.add(c.name);
    if (c.targetContainerName && !others.has(c.targetContainerName)) errs.push(notFound(childPath(p, 'targetContainerName'), c.targetContainerName));
    for (const f of ephemeralForbidden) {
      const v = c[f];
      const set = Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && !(f === 'resources' && Object.keys(v).length === 0);
      if (set) errs.push(forbidden(childPath(p, f), 'cannot be set for an Ephemeral Container'));
    }
    (c.volumeMounts ?? []).forEach((m, j) => {
      const mp = indexPath(childPath(p, 'volumeMounts'), j);
      if (m.subPath) errs.push(forbidden(childPath(mp, 'subPath'), 'cannot be set for an Ephemeral Container'));
      if (m.subPathExpr) errs.push(forbidden(childPath(mp, 'subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}
