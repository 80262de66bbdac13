import type { ConfigMap, Container, EnvVar, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { KeyValue } from '../cri/types.ts';
import { resolveFieldRef, resolveResourceFieldRef } from '../volumes/downward-api.ts';
import { serviceEnvVars, servicesForPod } from './service-env.ts';

// A container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables): envFrom
// first, then env in order, each value expanded against the variables before it and the Services'
// variables; the Services' variables the container does not set itself come last. $(VAR) references in
// command and args are expanded against the result.

/** ObjectSource reads the configMaps and secrets a pod refers to (undefined when absent). */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** services lists every Service the node knows (for the service link variables; absent: none). */
  services?(): readonly Service[];
}

/** EnvContext is what fieldRef and resourceFieldRef values come from besides the pod. */
export interface EnvContext {
  podIPs: string[];
  hostIPs: string[];
  /** allocatable is the node's allocatable cpu and memory, the default for limits a container does not set. */
  allocatable: { cpu: string; memory: string; 'ephemeral-storage'?: string };
}

/** ContainerConfigError is a container that cannot be configured (CreateContainerConfigError with this message). */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** EnvResult is the environment, plus envFrom keys that were skipped because they are not valid names. */
export interface EnvResult {
  envs: KeyValue[];
  invalidKeys: string[];
}

const envNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** makeEnvironment resolves a container's env and envFrom. */
export async function makeEnvironment(pod: Pod, c: Container, src: ObjectSource, ctx: EnvContext): Promise<EnvResult> {
  const ns = pod.metadata?.namespace ?? 'default';
  const services = serviceEnvVars(servicesForPod(ns, pod.spec?.enableServiceLinks ?? true, src.services?.() ?? []));
  const vars = new Map<string, string>();
  // scope is what $(VAR) sees: the Services' variables, overridden by the container's own as they are set.
  const scope = new Map(services);
  const invalidKeys: string[] = [];
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name ?? ''}" not found`);
      }
      data = { ...(cm.data ?? {}) };
    } else if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name ?? ''}" not found`);
      }
      data = decodeSecret(s);
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      const name = prefix + k;
      if (!envNameRe.test(name)) invalidKeys.push(name);
      else {
        vars.set(name, v);
        scope.set(name, v);
      }
    }
  }
  for (const e of c.env ?? []) {
    const v = await envValue(pod, c, e, src, ctx, scope);
    if (v !== undefined) {
      vars.set(e.name, v);
      scope.set(e.name, v);
    }
  }
  for (const [k, v] of services) if (!vars.has(k)) vars.set(k, v);
  return { envs: [...vars].map(([key, value]) => ({ key, value })), invalidKeys: invalidKeys.sort() };
}

async function envValue(pod: Pod, c: Container, e: EnvVar, src: ObjectSource, ctx: EnvContext, vars: Map<string, string>): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (e.value !== undefined || !e.valueFrom) return expand(e.value ?? '', vars);
  const from = e.valueFrom;
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, ctx);
  if (from.resourceFieldRef) return resourceValue(pod, from.resourceFieldRef.containerName || c.name, from.resourceFieldRef.resource, from.resourceFieldRef.divisor, ctx);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = await src.configMap(ns, ref.name ?? '');
    if (!cm) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`configmap "${ref.name ?? ''}" not found`);
    }
    const v = cm.data?.[ref.key] ?? (cm.binaryData?.[ref.key] !== undefined ? Buffer.from(cm.binaryData[ref.key] as string, 'base64').toString() : undefined);
    if (v === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name ?? ''}`);
    }
    return v;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const s = await src.secret(ns, ref.name ?? '');
    if (!s) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`secret "${ref.name ?? ''}" not found`);
    }
    const v = decodeSecret(s)[ref.key];
    if (v === undefined) {
      if (ref.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name ?? ''}`);
    }
    return v;
  }
  return '';
}

function decodeSecret(s: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString();
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
  return out;
}

/** fieldValue reads a downward-API field of the pod (the paths env fieldRef supports). */
export function fieldValue(pod: Pod, path: string, ctx: EnvContext): string {
  try {
    return resolveFieldRef(pod, path, ctx);
  } catch (err) {
    throw new ContainerConfigError(err instanceof Error ? err.message : String(err));
  }
}

/** resourceValue is a container's limit or request divided by the divisor and rounded up (upstream ExtractContainerResourceValue). */
export function resourceValue(pod: Pod, containerName: string, resource: string, divisor: string | number | undefined, ctx: EnvContext): string {
  try {
    return resolveResourceFieldRef(pod, { containerName, resource, ...(divisor !== undefined ? { divisor: String(divisor) } : {}) }, ctx.allocatable);
  } catch (err) {
    throw new ContainerConfigError(err instanceof Error ? err.message : String(err));
  }
}

/** expand replaces $(VAR) with defined variables; $$ escapes a $; unknown references stay as written. */
export function expand(s: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '$' && i + 1 < s.length) {
      const next = s[i + 1];
      if (next === '$') {
        out += '$';
        i++;
        continue;
      }
      if (next === '(') {
        const end = s.indexOf(')', i + 2);
        if (end > 0) {
          const name = s.slice(i + 2, end);
          const v = vars.get(name);
          out += v ?? s.slice(i, end + 1);
          i = end;
          continue;
        }
      }
    }
    out += ch;
  }
  return out;
}
