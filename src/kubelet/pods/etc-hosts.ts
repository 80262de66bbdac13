import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';

// The /etc/hosts the kubelet writes for each pod (kubelet_pods.go ensureHostsFile) and bind-mounts into
// every container that does not mount its own: localhost lines, the pod's own names on its IPs, then
// spec.hostAliases. Host-network pods get the node's hosts file plus their aliases.

/** PodNames are a pod's hostname and, with a subdomain, its domain (`<subdomain>.<ns>.svc.<cluster domain>`). */
export interface PodNames {
  hostname: string;
  domain?: string;
}

/** podNames derives the pod's hostname (spec.hostname, else its name cut to 63 characters) and domain. */
export function podNames(pod: Pod, clusterDomain: string): PodNames {
  const hostname = pod.spec?.hostname || (pod.metadata?.name ?? '').slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  return sub ? { hostname, domain: `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` } : { hostname };
}

/** sandboxHostname is what the pod's UTS namespace is named: the FQDN when setHostnameAsFQDN, else the hostname. */
export function sandboxHostname(pod: Pod, clusterDomain: string): string {
  if (pod.spec?.hostNetwork) return '';
  const n = podNames(pod, clusterDomain);
  return pod.spec?.setHostnameAsFQDN && n.domain ? `${n.hostname}.${n.domain}` : n.hostname;
}

const header = `# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
`;

/** etcHostsContent is the pod's managed hosts file; hostHosts is the node's /etc/hosts (used for host-network pods). */
export function etcHostsContent(pod: Pod, podIPs: readonly string[], clusterDomain: string, hostHosts: string): string {
  let out: string;
  if (pod.spec?.hostNetwork) {
    out = `# Kubernetes-managed hosts file (host network).\n${hostHosts}`;
    if (!out.endsWith('\n')) out += '\n';
  } else {
    const n = podNames(pod, clusterDomain);
    out = header;
    for (const ip of podIPs) out += n.domain ? `${ip}\t${n.hostname}.${n.domain}\t${n.hostname}\n` : `${ip}\t${n.hostname}\n`;
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    out += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  }
  return out;
}

/** ensureEtcHosts writes the pod's hosts file at path unless it already exists (the kubelet writes it once per pod). */
export function ensureEtcHosts(path: string, pod: Pod, podIPs: readonly string[], clusterDomain: string): void {
  if (existsSync(path)) return;
  const host = pod.spec?.hostNetwork ? readFileSync('/etc/hosts', 'utf8') : '';
  writeFileSync(path, etcHostsContent(pod, podIPs, clusterDomain, host), { mode: 0o644 });
}
