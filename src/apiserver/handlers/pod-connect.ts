import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest, invalid, type FieldError } from '../../api/errors.ts';
import type { HandlerContext } from './context.ts';

// Where pods/log, exec, attach and portforward go: the pod's node agent, at the kubelet path for the
// container, with the options turned into the kubelet's query (upstream's LogLocation, ExecLocation,
// AttachLocation and PortForwardLocation, and the parameter checks in front of them).

/** ConnectSubresource is one of the pod subresources served by the node agent. */
export type ConnectSubresource = 'log' | 'exec' | 'attach' | 'portforward';

/** isConnectSubresource tells the agent-served subresources apart. */
export function isConnectSubresource(sub: string): sub is ConnectSubresource {
  return sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward';
}

/** defaultKubeletPort is used when a node does not report its endpoint. */
const defaultKubeletPort = 10250;

/** parseBool reads a query boolean the way the API's parameter codec does. */
function parseBool(v: string | null): boolean {
  return v !== null && ['true', '1', 'True', 'TRUE', 't', 'T'].includes(v);
}

function names(cs: readonly { name: string }[] | undefined): string {
  return (cs ?? []).map((c) => c.name).join(' ');
}

/** resolveContainer picks the container a request means, with upstream's messages when it cannot. */
export function resolveContainer(pod: Pod, container: string | null): string {
  const spec = pod.spec;
  const podName = pod.metadata?.name ?? '';
  if (!container) {
    const containers = spec?.containers ?? [];
    if (containers.length === 1) return (containers[0] as Container).name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    let message = `a container name must be specified for pod ${podName}, choose one of: [${names(containers)}]`;
    if ((spec?.initContainers ?? []).length > 0) message += ` or one of the init containers: [${names(spec?.initContainers)}]`;
    if ((spec?.ephemeralContainers ?? []).length > 0) message += ` or one of the ephemeral containers: [${names(spec?.ephemeralContainers)}]`;
    throw badRequest(message);
  }
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  return container;
}

/** validateLogOptions is upstream's ValidatePodLogOptions. */
export function validateLogOptions(name: string, q: URLSearchParams): void {
  const errs: FieldError[] = [];
  const int = (field: string): number | undefined => {
    const v = q.get(field);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw badRequest(`${field}: invalid value ${JSON.stringify(v)}: must be an integer`);
    return Number(v);
  };
  const tail = int('tailLines');
  if (tail !== undefined && tail < 0) errs.push({ type: 'FieldValueInvalid', field: 'tailLines', value: tail, detail: 'must be greater than or equal to 0' });
  const limit = int('limitBytes');
  if (limit !== undefined && limit < 1) errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: limit, detail: 'must be greater than 0' });
  const since = int('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (since !== undefined && sinceTime) errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  else if (since !== undefined && since < 1) errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: since, detail: 'must be greater than 0' });
  if (sinceTime && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime: invalid value ${JSON.stringify(sinceTime)}: must be an RFC 3339 time`);
  if (errs.length > 0) throw invalid({ group: '', kind: 'PodLogOptions' }, name, errs);
}

/** hostPort joins an address (IPv6 in brackets) and a port, or gives the bare host when port is empty. */
export function hostPort(ip: string, port: string): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port ? `${host}:${port}` : host;
}

/** nodeAddress picks how to reach a node's agent: its InternalIP (else ExternalIP, else Hostname) and kubelet port. */
export function nodeAddress(node: Node): { host: string; port: number } | null {
  const addrs = node.status?.addresses ?? [];
  const host = ['InternalIP', 'ExternalIP', 'Hostname'].map((t) => addrs.find((a) => a.type === t)?.address).find(Boolean);
  if (!host) return null;
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultKubeletPort };
}

/** kubeletQuery turns the API's options into the kubelet's query for a subresource. */
export function kubeletQuery(sub: ConnectSubresource, q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  if (sub === 'log') {
    for (const b of ['follow', 'previous', 'timestamps']) if (parseBool(q.get(b))) out.set(b, 'true');
    for (const k of ['sinceSeconds', 'sinceTime', 'tailLines', 'limitBytes']) {
      const v = q.get(k);
      if (v) out.set(k, v);
    }
  } else if (sub === 'portforward') {
    const ports = q.getAll('ports').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    for (const p of ports) out.append('port', p);
  } else {
    // Upstream's streamParams: stdin → input, stdout → output, stderr → error.
    if (parseBool(q.get('stdin'))) out.set('input', '1');
    if (parseBool(q.get('stdout'))) out.set('output', '1');
    if (parseBool(q.get('stderr'))) out.set('error', '1');
    if (parseBool(q.get('tty'))) out.set('tty', '1');
    if (sub === 'exec') for (const c of q.getAll('command')) out.append('command', c);
  }
  return out;
}

/**
 * podConnectLocation checks a request for a pod subresource served by the node agent and returns the
 * agent URL, or null for logs of a pod no node runs yet (upstream answers those with an empty body).
 */
export async function podConnectLocation(ctx: HandlerContext, namespace: string, name: string, sub: ConnectSubresource, q: URLSearchParams): Promise<URL | null> {
  const pods = ctx.registry.lookup('', 'v1', 'pods');
  if (!pods) throw new ApiError('NotFound', 'the server could not find the requested resource');
  if (sub === 'log') validateLogOptions(name, q);
  const pod = (await pods.store.get(namespace, name)) as unknown as Pod;
  const container = sub === 'portforward' ? '' : resolveContainer(pod, q.get('container'));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) {
    if (sub === 'log') return null;
    throw badRequest(`pod ${name} does not have a host assigned`);
  }
  const node = (await ctx.registry.lookup('', 'v1', 'nodes')?.store.get(undefined, nodeName)) as unknown as Node | undefined;
  const addr = node ? nodeAddress(node) : null;
  if (!addr) throw new ApiError('ServiceUnavailable', `no preferred addresses found; known addresses: []`);
  const enc = encodeURIComponent;
  const path = sub === 'log' ? `/containerLogs/${enc(namespace)}/${enc(name)}/${enc(container)}` : sub === 'portforward' ? `/portForward/${enc(namespace)}/${enc(name)}` : `/${sub}/${enc(namespace)}/${enc(name)}/${enc(container)}`;
  const url = new URL(`https://${hostPort(addr.host, String(addr.port))}${path}`);
  url.search = kubeletQuery(sub, q).toString();
  return url;
}
