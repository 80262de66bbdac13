import type { Service } from 'kubernetes-types/core/v1.js';

// The Docker-links-style variables the kubelet gives every container for the Services it may use
// (upstream envvars.FromServices and kubelet getServiceEnvVarMap): the `kubernetes` Service of the
// default namespace always, the pod's own namespace's Services when spec.enableServiceLinks is not false.

/** masterServices are default-namespace Services every pod sees, whatever its namespace. */
const masterServices = new Set(['kubernetes']);

/** servicesForPod picks the Services whose variables a pod in namespace gets. */
export function servicesForPod(namespace: string, enableServiceLinks: boolean, all: readonly Service[]): Service[] {
  const picked = new Map<string, Service>();
  for (const s of all) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata?.name ?? '';
    const ns = s.metadata?.namespace ?? '';
    if (ns === 'default' && masterServices.has(name)) {
      if (!picked.has(name)) picked.set(name, s);
    } else if (ns === namespace && enableServiceLinks) {
      picked.set(name, s);
    }
  }
  return [...picked.values()];
}

function hasClusterIP(s: Service): boolean {
  const ip = s.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

function envName(s: string): string {
  return s.replaceAll('-', '_').toUpperCase();
}

/** serviceEnvVars are the variables of the given Services, e.g. REDIS_SERVICE_HOST and REDIS_PORT_6379_TCP_ADDR. */
export function serviceEnvVars(services: readonly Service[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const s of services) {
    const ports = s.spec?.ports ?? [];
    const ip = s.spec?.clusterIP ?? '';
    if (!hasClusterIP(s) || ports.length === 0) continue;
    const prefix = envName(s.metadata?.name ?? '');
    vars.set(`${prefix}_SERVICE_HOST`, ip);
    vars.set(`${prefix}_SERVICE_PORT`, String(ports[0]?.port));
    for (const p of ports) if (p.name) vars.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    const host = ip.includes(':') ? `[${ip}]` : ip;
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${host}:${p.port}`;
      if (i === 0) vars.set(`${prefix}_PORT`, url);
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      vars.set(pp, url);
      vars.set(`${pp}_PROTO`, proto);
      vars.set(`${pp}_PORT`, String(p.port));
      vars.set(`${pp}_ADDR`, ip);
    });
  }
  return vars;
}
