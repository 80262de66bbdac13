import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressBackend } from 'kubernetes-types/networking/v1.js';
import type { ApiObject } from '../api/object.ts';
import type { BackendConfig, CanaryConfig, IngressConfig, PathType, RouteConfig, ServerConfig, TlsConfig } from './config.ts';

export type IngressObject = Ingress & ApiObject;
export type ServiceObject = Service & ApiObject;
export type SliceObject = EndpointSlice & ApiObject;
export type SecretObject = Secret & ApiObject;

/** canaryPrefix is ingress-nginx's annotation prefix, whose canary set Berth understands. */
export const nginxAnnotation = 'nginx.ingress.kubernetes.io/';

/** ClusterView is what the builder reads: the Ingresses this controller serves and lookups into caches. */
export interface ClusterView {
  ingresses: readonly IngressObject[];
  service(namespace: string, name: string): ServiceObject | undefined;
  /** slices returns the EndpointSlices labelled kubernetes.io/service-name=name. */
  slices(namespace: string, name: string): readonly SliceObject[];
  secret(namespace: string, name: string): SecretObject | undefined;
}

/** BuildOptions are controller-wide settings that shape the config. */
export interface BuildOptions {
  /** sslRedirect redirects HTTP to HTTPS on hosts with TLS (ingress-nginx's ssl-redirect, default true); an Ingress can opt out by annotation. */
  sslRedirect: boolean;
}

/** isCanary tells whether an Ingress is an ingress-nginx canary. */
export function isCanary(ing: IngressObject): boolean {
  return ing.metadata?.annotations?.[`${nginxAnnotation}canary`] === 'true';
}

/** byAge orders Ingresses as ingress-nginx does: oldest first, then by namespace/name, so the oldest claim of a host+path wins. */
export function byAge(a: IngressObject, b: IngressObject): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
  const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** buildConfig turns the served Ingresses, their Services, EndpointSlices and TLS secrets into a routing config. */
export function buildConfig(view: ClusterView, opts: BuildOptions): IngressConfig {
  const ingresses = [...view.ingresses].filter((i) => !i.metadata?.deletionTimestamp).sort(byAge);
  const backends = new Map<string, BackendConfig>();
  const servers = new Map<string, ServerConfig>();
  const tls: TlsConfig[] = [];
  const redirectOptOut = new Set<string>();
  const resolve = (ns: string, b: IngressBackend | undefined): string => resolveBackend(view, ns, b, backends);
  const server = (host: string): ServerConfig => {
    let s = servers.get(host);
    if (!s) {
      s = { host, routes: [], sslRedirect: false };
      servers.set(host, s);
    }
    return s;
  };
  let globalDefault: RouteConfig | undefined;

  for (const ing of ingresses) {
    if (isCanary(ing)) continue;
    const ns = ing.metadata?.namespace ?? '';
    const key = `${ns}/${ing.metadata?.name ?? ''}`;
    const def = ing.spec?.defaultBackend ? { path: '/', pathType: 'Prefix' as const, backend: resolve(ns, ing.spec.defaultBackend), ingress: key } : undefined;
    if (def && !globalDefault) globalDefault = def;
    const optOut = ing.metadata?.annotations?.[`${nginxAnnotation}ssl-redirect`] === 'false';
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      const s = server(host);
      if (optOut) redirectOptOut.add(host);
      if (def && !s.defaultRoute && host !== '') s.defaultRoute = def;
      for (const p of rule.http?.paths ?? []) {
        s.routes.push({ path: p.path || '/', pathType: pathTypeOf(p.pathType), backend: resolve(ns, p.backend), ingress: key });
      }
    }
    for (const t of ing.spec?.tls ?? []) {
      const secret = t.secretName ? view.secret(ns, t.secretName) : undefined;
      const pair = secret ? tlsPair(secret) : null;
      if (!secret || !pair) continue;
      // A TLS entry without hosts covers the Ingress's own rule hosts.
      const hosts = (t.hosts && t.hosts.length > 0 ? t.hosts : (ing.spec?.rules ?? []).map((r) => r.host ?? '').filter((h) => h)).map((h) => h.toLowerCase());
      tls.push({ hosts, ...pair, id: `${secret.metadata?.uid ?? ''}/${secret.metadata?.resourceVersion ?? ''}` });
    }
  }
  if (globalDefault) {
    const s = server('');
    s.defaultRoute ??= globalDefault;
  }

  // Canaries attach to the main Ingress's route of the same host, path and type; one canary per route (the oldest).
  for (const ing of ingresses) {
    if (!isCanary(ing)) continue;
    const ns = ing.metadata?.namespace ?? '';
    const key = `${ns}/${ing.metadata?.name ?? ''}`;
    const shape = canaryShape(ing);
    for (const rule of ing.spec?.rules ?? []) {
      const s = servers.get((rule.host ?? '').toLowerCase());
      if (!s) continue;
      for (const p of rule.http?.paths ?? []) {
        const path = p.path || '/';
        const type = pathTypeOf(p.pathType);
        const main = s.routes.find((r) => r.path === path && r.pathType === type && r.ingress !== key);
        if (main && !main.canary) main.canary = { ...shape, ingress: key, backend: resolve(ns, p.backend) };
      }
    }
  }

  if (opts.sslRedirect) {
    for (const s of servers.values()) s.sslRedirect = s.host !== '' && !redirectOptOut.has(s.host) && tls.some((t) => t.hosts.some((h) => hostCovers(h, s.host)));
  }
  return { servers: [...servers.values()], backends: [...backends.values()], tls };
}

/** hostCovers tells whether a TLS host (exact or "*.wildcard") covers a rule host. */
export function hostCovers(tlsHost: string, host: string): boolean {
  if (tlsHost === host) return true;
  if (!tlsHost.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === tlsHost.slice(2);
}

function pathTypeOf(t: string | undefined): PathType {
  // ImplementationSpecific is Berth's Prefix (ingress-nginx's is a string prefix; element-wise is the stricter reading).
  return t === 'Exact' ? 'Exact' : 'Prefix';
}

function canaryShape(ing: IngressObject): Omit<CanaryConfig, 'ingress' | 'backend'> {
  const a = ing.metadata?.annotations ?? {};
  const get = (n: string): string | undefined => a[`${nginxAnnotation}${n}`] || undefined;
  const int = (n: string): number | undefined => {
    const v = get(n);
    if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
    return Number(v.trim());
  };
  const header = get('canary-by-header');
  const cookie = get('canary-by-cookie');
  const headerValue = get('canary-by-header-value');
  const headerPattern = get('canary-by-header-pattern');
  return {
    ...(header ? { header } : {}),
    ...(header && headerValue ? { headerValue } : {}),
    ...(header && headerPattern ? { headerPattern } : {}),
    ...(cookie ? { cookie } : {}),
    weight: int('canary-weight') ?? 0,
    weightTotal: int('canary-weight-total') ?? 100,
  };
}

/** resolveBackend registers the backend an IngressBackend names and returns its name ('' for resource backends: 503). */
function resolveBackend(view: ClusterView, ns: string, b: IngressBackend | undefined, backends: Map<string, BackendConfig>): string {
  const svcRef = b?.service;
  if (!svcRef) return '';
  const portKey = svcRef.port?.name ?? String(svcRef.port?.number ?? '');
  const name = `${ns}/${svcRef.name}:${portKey}`;
  if (!backends.has(name)) backends.set(name, { name, namespace: ns, service: svcRef.name, ...endpointsOf(view, ns, svcRef.name, svcRef.port?.name, svcRef.port?.number) });
  return name;
}

/**
 * endpointsOf lists the ready endpoint addresses of a Service port, resolving the target port per slice by port
 * name, and the Pod behind each address that has one.
 */
function endpointsOf(view: ClusterView, ns: string, name: string, portName: string | undefined, portNumber: number | undefined): { endpoints: string[]; pods?: Record<string, string> } {
  const svc = view.service(ns, name);
  if (!svc) return { endpoints: [] };
  const sp = (svc.spec?.ports ?? []).find((p) => (portName ? p.name === portName : p.port === portNumber));
  if (svc.spec?.type === 'ExternalName') {
    const port = sp?.port ?? portNumber;
    return { endpoints: svc.spec.externalName && port ? [`${svc.spec.externalName}:${port}`] : [] };
  }
  if (!sp) return { endpoints: [] };
  const wantName = sp.name ?? '';
  const out = new Set<string>();
  let pods: Record<string, string> | undefined;
  for (const slice of view.slices(ns, name)) {
    if (slice.addressType === 'FQDN') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === wantName)?.port;
    if (port === undefined) continue;
    const v6 = slice.addressType === 'IPv6';
    for (const ep of slice.endpoints ?? []) {
      // An unset ready condition means ready (upstream's EndpointConditions); terminating endpoints are never ready.
      if (ep.conditions?.ready === false) continue;
      const addr = ep.addresses[0];
      if (!addr) continue;
      const address = v6 ? `[${addr}]:${port}` : `${addr}:${port}`;
      out.add(address);
      const ref = ep.targetRef;
      if (ref?.kind === 'Pod' && ref.name) (pods ??= {})[address] = `${ref.namespace ?? ns}/${ref.name}`;
    }
  }
  return { endpoints: [...out].sort(), ...(pods ? { pods } : {}) };
}

function tlsPair(secret: SecretObject): { certPem: string; keyPem: string } | null {
  const crt = secret.data?.['tls.crt'];
  const key = secret.data?.['tls.key'];
  if (!crt || !key) return null;
  return { certPem: Buffer.from(crt, 'base64').toString('utf8'), keyPem: Buffer.from(key, 'base64').toString('utf8') };
}
