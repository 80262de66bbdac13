import type { HTTPGetAction, Lifecycle, LifecycleHandler, Probe, SeccompProfile, SecurityContext } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { isHTTPHeaderName, isValidPortName, isValidPortNum, isValidUserID } from '../validation/names.ts';
import { validateNonnegativeField } from '../validation/meta.ts';
import { validateLocalDescendingPath } from './paths.ts';

// Probes, lifecycle handlers and container security contexts (validateProbe, validateHandler, ValidateSecurityContext).

/** validatePortNumOrName is upstream's ValidatePortNumOrName for an int-or-string port. */
export function validatePortNumOrName(port: number | string | undefined, path: string): FieldError[] {
  if (typeof port === 'string') return invalidEach(path, port, isValidPortName(port));
  return invalidEach(path, port ?? 0, isValidPortNum(port ?? 0));
}

function validateHTTPGet(http: HTTPGetAction, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!http.path) errs.push(required(childPath(path, 'path')));
  errs.push(...validatePortNumOrName(http.port, childPath(path, 'port')));
  if (!['HTTP', 'HTTPS'].includes(http.scheme ?? '')) errs.push(notSupported(childPath(path, 'scheme'), http.scheme ?? '', ['HTTP', 'HTTPS']));
  for (const h of http.httpHeaders ?? []) errs.push(...invalidEach(childPath(path, 'httpHeaders'), h.name, isHTTPHeaderName(h.name ?? '')));
  return errs;
}

type Handler = Pick<LifecycleHandler, 'exec' | 'httpGet' | 'tcpSocket'> & { grpc?: { port: number }; sleep?: { seconds: number } };

function validateHandler(h: Handler, kinds: readonly ('exec' | 'httpGet' | 'tcpSocket' | 'grpc' | 'sleep')[], gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of kinds) {
    if (h[kind] === undefined || h[kind] === null) continue;
    const p = childPath(path, kind);
    if (n++ > 0) {
      errs.push(forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    if (kind === 'exec' && (h.exec?.command ?? []).length === 0) errs.push(required(childPath(p, 'command')));
    if (kind === 'httpGet' && h.httpGet) errs.push(...validateHTTPGet(h.httpGet, p));
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(h.tcpSocket?.port, childPath(p, 'port')));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(h.grpc?.port, childPath(p, 'port')));
    const seconds = h.sleep?.seconds ?? 0;
    if (kind === 'sleep' && gracePeriod !== undefined && (seconds < 0 || seconds > gracePeriod)) {
      errs.push(invalidValue(p, seconds, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`));
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

/** ProbeKind selects the extra rule of each probe: liveness and startup need successThreshold 1. */
export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** validateProbe is upstream's validateLivenessProbe / validateReadinessProbe / validateStartupProbe. */
export function validateProbe(probe: Probe | undefined, kind: ProbeKind, gracePeriod: number | undefined, path: string): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe as Handler, ['exec', 'httpGet', 'tcpSocket', 'grpc'], gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...validateNonnegativeField(probe[f] ?? 0, childPath(path, f)));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (tgps !== undefined && tgps !== null && tgps <= 0) errs.push(invalidValue(childPath(path, 'terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind !== 'readinessProbe' && probe.successThreshold !== 1) errs.push(invalidValue(childPath(path, 'successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  if (kind === 'readinessProbe' && tgps !== undefined && tgps !== null) errs.push(invalidValue(childPath(path, 'terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  return errs;
}

/** validateLifecycle validates postStart and preStop handlers. */
export function validateLifecycle(lifecycle: Lifecycle, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = lifecycle[hook];
    if (h) errs.push(...validateHandler(h as Handler, ['exec', 'httpGet', 'tcpSocket', 'sleep'], gracePeriod, childPath(path, hook)));
  }
  return errs;
}

/** validateSeccompProfile is upstream's validateSeccompProfileField. */
export function validateSeccompProfile(sp: SeccompProfile | undefined, path: string): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(required(childPath(path, 'type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(notSupported(childPath(path, 'type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined) errs.push(required(childPath(path, 'localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, childPath(path, 'localhostProfile')));
  } else if (sp.localhostProfile !== undefined) {
    errs.push(invalidValue(childPath(path, 'localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

/** validateSecurityContext is upstream's ValidateSecurityContext for a container. */
export function validateSecurityContext(sc: SecurityContext | undefined, path: string, hostUsers: boolean): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.runAsUser !== undefined) errs.push(...invalidEach(childPath(path, 'runAsUser'), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (sc.runAsGroup !== undefined) errs.push(...invalidEach(childPath(path, 'runAsGroup'), sc.runAsGroup, isValidUserID(sc.runAsGroup)));
  if (sc.procMount !== undefined) {
    if (!['Default', 'Unmasked'].includes(sc.procMount)) errs.push(notSupported(childPath(path, 'procMount'), sc.procMount, ['Default', 'Unmasked']));
    if (hostUsers && sc.procMount === 'Unmasked') errs.push(invalidValue(childPath(path, 'procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, childPath(path, 'seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalidValue(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) errs.push(invalidValue(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  }
  return errs;
}
