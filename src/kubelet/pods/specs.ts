import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { join } from 'node:path';
import { podDnsConfig, type PodDnsSettings } from '../../dns/resolv-conf.ts';
import type { ContainerConfig, CriInput, KeyValue, LinuxContainerSecurityContext, Mount, PodSandboxConfig, PortMapping } from '../cri/types.ts';
import { expand } from './env.ts';
import { sandboxHostname } from './etc-hosts.ts';
import {
  containerHashAnnotation,
  containerKindAnnotation,
  containerLabels,
  hashContainer,
  podGraceAnnotation,
  restartCountAnnotation,
  sandboxLabels,
  terminationMessagePathAnnotation,
  type ContainerKind,
} from './labels.ts';
import { containerResources } from './resources.ts';
import { containerSecurityContext, sandboxSecurityContext } from './security.ts';

// What a pod's sandbox and containers look like to CRI (upstream kuberuntime_sandbox.go generatePodSandboxConfig
// and kuberuntime_container.go generateContainerConfig).

/** PodPaths are where one pod's files live on the node. */
export interface PodPaths {
  /** logDir is the kubelet's /var/log/pods/<ns>_<name>_<uid>: <container>/<restartCount>.log under it. */
  logDir: string;
  /** podDir holds the pod's own files (termination message files). */
  podDir: string;
  /** cgroupParent is the pod's cgroup ("/berth/pod<uid>"), created and removed by the agent. */
  cgroupParent: string;
}

/** podPaths lays out a pod's directories under the agent's data directory. */
export function podPaths(m: { namespace?: string; name?: string; uid?: string }, dataDir: string, cgroupRoot: string): PodPaths {
  return {
    logDir: join(dataDir, 'pods', `${m.namespace ?? ''}_${m.name ?? ''}_${m.uid ?? ''}`),
    podDir: join(dataDir, 'pod-state', m.uid ?? ''),
    cgroupParent: `/${cgroupRoot}/pod${m.uid ?? ''}`,
  };
}

/** terminationGraceSeconds is how long the pod's containers get to stop: the deletion's grace, else the spec's (30 s). */
export function terminationGraceSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

/** sandboxConfig is the CRI sandbox of a pod for its attempt-th sandbox. */
export function sandboxConfig(pod: Pod, attempt: number, paths: PodPaths, dns: PodDnsSettings): CriInput<PodSandboxConfig> {
  const m = pod.metadata ?? {};
  // Its warnings are recorded as events by the pod worker when it creates the sandbox.
  const { config } = podDnsConfig(pod, dns);
  const resolv = { servers: config.nameservers, searches: config.searches, options: config.options };
  const portMappings: CriInput<PortMapping>[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      portMappings.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  const sysctls: Record<string, string> = {};
  for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    metadata: { name: m.name ?? '', namespace: m.namespace ?? '', uid: m.uid ?? '', attempt },
    // Upstream: spec.hostname, else the pod name, cut to 63 characters (the FQDN with setHostnameAsFQDN); the
    // host network keeps the node's name.
    hostname: sandboxHostname(pod, dns.clusterDomain),
    logDirectory: paths.logDir,
    dnsConfig: resolv,
    portMappings,
    labels: sandboxLabels(pod),
    annotations: { ...(m.annotations ?? {}), [podGraceAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30) },
    linux: { cgroupParent: paths.cgroupParent, securityContext: sandboxSecurityContext(pod), sysctls },
  };
}

/** ContainerInputs are what a container's config needs besides the spec: resolved env, mounts and the image id. */
export interface ContainerInputs {
  kind: ContainerKind;
  restartCount: number;
  envs: KeyValue[];
  mounts: CriInput<Mount>[];
  imageRef: string;
  memoryCapacityBytes: number;
  /** pidTargetId is the container whose PID namespace an ephemeral container joins (its targetContainerName). */
  pidTargetId?: string;
}

/** containerLogPath is a container's log file relative to the pod's log directory. */
export function containerLogPath(name: string, restartCount: number): string {
  return `${name}/${restartCount}.log`;
}

/** containerConfig is the CRI config of one run of a container. */
export function containerConfig(pod: Pod, c: Container, i: ContainerInputs): CriInput<ContainerConfig> {
  const vars = new Map(i.envs.map((e) => [e.key, e.value]));
  return {
    metadata: { name: c.name, attempt: i.restartCount },
    image: { image: i.imageRef, userSpecifiedImage: c.image ?? '' },
    command: (c.command ?? []).map((s) => expand(s, vars)),
    args: (c.args ?? []).map((s) => expand(s, vars)),
    workingDir: c.workingDir ?? '',
    envs: i.envs,
    mounts: i.mounts,
    labels: containerLabels(pod, c),
    annotations: {
      [containerHashAnnotation]: hashContainer(c),
      [restartCountAnnotation]: String(i.restartCount),
      [terminationMessagePathAnnotation]: c.terminationMessagePath ?? '/dev/termination-log',
      [podGraceAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
      [containerKindAnnotation]: i.kind,
    },
    logPath: containerLogPath(c.name, i.restartCount),
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources: containerResources(pod, c, i.memoryCapacityBytes), securityContext: targeted(containerSecurityContext(pod, c), i.pidTargetId) },
  };
}

/** targeted puts a container into another container's PID namespace, unless the pod shares one anyway (as upstream). */
function targeted(sc: CriInput<LinuxContainerSecurityContext>, targetId: string | undefined): CriInput<LinuxContainerSecurityContext> {
  if (!targetId || sc.namespaceOptions?.pid !== 'CONTAINER') return sc;
  return { ...sc, namespaceOptions: { ...sc.namespaceOptions, pid: 'TARGET', targetId } };
}
