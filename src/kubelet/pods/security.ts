import type { Container, Pod, SeccompProfile } from 'kubernetes-types/core/v1.js';
import type { CriInput, Image, LinuxContainerSecurityContext, LinuxSandboxSecurityContext, NamespaceOption, SecurityProfile } from '../cri/types.ts';
import { ContainerConfigError } from './env.ts';
import { podFullName } from './labels.ts';

// Pod and container securityContext as CRI security settings (upstream kuberuntime/security_context.go and
// pkg/securitycontext), the runAsNonRoot check, and the sysctls a pod may set without node configuration.

/** defaultMaskedPaths and defaultReadonlyPaths are hidden or read-only in unprivileged containers (upstream's defaults). */
export const defaultMaskedPaths = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'];
export const defaultReadonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** safeSysctls are the namespaced sysctls any pod may set (upstream's safe set). */
export const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/** forbiddenSysctl names the first sysctl of the pod outside the safe set (the node admits none of them). */
export function forbiddenSysctl(pod: Pod): string | undefined {
  return pod.spec?.securityContext?.sysctls?.find((s) => !safeSysctls.has(s.name.replaceAll('/', '.')))?.name;
}

/** namespaceOptions says which namespaces the pod shares with the node or between its containers. */
export function namespaceOptions(pod: Pod): CriInput<NamespaceOption> {
  const s = pod.spec;
  return {
    network: s?.hostNetwork ? 'NODE' : 'POD',
    pid: s?.hostPID ? 'NODE' : s?.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s?.hostIPC ? 'NODE' : 'POD',
  };
}

function seccomp(p: SeccompProfile | undefined): CriInput<SecurityProfile> | undefined {
  if (!p) return undefined;
  if (p.type === 'Localhost') return { profileType: 'Localhost', localhostRef: p.localhostProfile ?? '' };
  return { profileType: p.type === 'RuntimeDefault' ? 'RuntimeDefault' : 'Unconfined' };
}

const int64 = (v: number | undefined): { value: string } | undefined => (v === undefined ? undefined : { value: String(v) });

/** sandboxSecurityContext is the pod-level security of the sandbox. */
export function sandboxSecurityContext(pod: Pod): CriInput<LinuxSandboxSecurityContext> {
  const sc = pod.spec?.securityContext;
  const privileged = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.securityContext?.privileged);
  const groups = [...(sc?.supplementalGroups ?? []), ...(sc?.fsGroup !== undefined ? [sc.fsGroup] : [])];
  return {
    namespaceOptions: namespaceOptions(pod),
    ...(sc?.runAsUser !== undefined ? { runAsUser: int64(sc.runAsUser) } : {}),
    ...(sc?.runAsGroup !== undefined ? { runAsGroup: int64(sc.runAsGroup) } : {}),
    supplementalGroups: groups.map(String),
    privileged,
    ...(seccomp(sc?.seccompProfile) ? { seccomp: seccomp(sc?.seccompProfile) } : {}),
  };
}

/** containerSecurityContext merges the container's securityContext over the pod's. */
export function containerSecurityContext(pod: Pod, c: Container): CriInput<LinuxContainerSecurityContext> {
  const psc = pod.spec?.securityContext;
  const sc = c.securityContext;
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup;
  const privileged = sc?.privileged ?? false;
  const groups = [...(psc?.supplementalGroups ?? []), ...(psc?.fsGroup !== undefined ? [psc.fsGroup] : [])];
  const profile = seccomp(sc?.seccompProfile ?? psc?.seccompProfile);
  return {
    ...(sc?.capabilities ? { capabilities: { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] } } : {}),
    privileged,
    namespaceOptions: namespaceOptions(pod),
    ...(runAsUser !== undefined ? { runAsUser: int64(runAsUser) } : {}),
    ...(runAsGroup !== undefined ? { runAsGroup: int64(runAsGroup) } : {}),
    readonlyRootfs: sc?.readOnlyRootFilesystem ?? false,
    supplementalGroups: groups.map(String),
    noNewPrivs: sc?.allowPrivilegeEscalation === false,
    ...(privileged || sc?.procMount === 'Unmasked' ? {} : { maskedPaths: defaultMaskedPaths, readonlyPaths: defaultReadonlyPaths }),
    ...(profile ? { seccomp: profile } : {}),
  };
}

/** verifyRunAsNonRoot enforces runAsNonRoot against the user the container will run as (upstream's messages). */
export function verifyRunAsNonRoot(pod: Pod, c: Container, image: Image | undefined): void {
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot;
  if (!nonRoot) return;
  const who = `(pod: "${podFullName(pod)}", container: ${c.name})`;
  const uid = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  if (uid !== undefined) {
    if (uid === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy ${who}`);
    return;
  }
  if (image?.uid && image.uid.value !== '0') return;
  if (image?.username && !/^\d+$/.test(image.username)) throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root ${who}`);
  throw new ContainerConfigError(`container has runAsNonRoot and image will run as root ${who}`);
}
