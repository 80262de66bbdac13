import { isIPv4, isIPv6 } from 'node:net';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest } from '../../api/errors.ts';
import { readBody } from '../body.ts';
import { forward } from '../forward.ts';
import { fromWebResponse, jsonResponse, type ApiRequest, type ApiResponse } from '../message.ts';
import type { HandlerContext } from './context.ts';
import { hostPort, nodeAddress } from './pod-connect.ts';

// The proxy subresources, as upstream's ResourceLocation for nodes, pods and services and the proxy REST in
// front of them: `.../<resource>/<id>/proxy/<path>` is passed on to an address the object names. The id is
// `name`, `name:port` or `scheme:name:port`.
// - nodes: without a port, or with the node's kubelet port, the node agent over HTTPS with the API server's
//   kubelet-client certificate (`kubectl get --raw /api/v1/nodes/n/proxy/metrics/cadvisor`); another port on
//   the node with the scheme asked for (http by default).
// - pods: the pod IP and the port given, else the first declared container port.
// - services: a random ready address of the Service's Endpoints, at the endpoint port of the Service port
//   named (or numbered) in the id.
// Targets other than the agent get no client certificate and are not verified, as upstream's proxy transport.

/** ProxyTarget is where a proxy request goes, and whether the node agent's credentials apply. */
export interface ProxyTarget {
  url: URL;
  kubelet: boolean;
}

/** ProxyResource is a resource with a proxy subresource. */
export type ProxyResource = 'nodes' | 'pods' | 'services';

/** isProxyResource tells the resources with a proxy subresource apart. */
export function isProxyResource(resource: string): resource is ProxyResource {
  return resource === 'nodes' || resource === 'pods' || resource === 'services';
}

const kindWord: Record<ProxyResource, string> = { nodes: 'node', pods: 'pod', services: 'service' };

/** splitSchemeNamePort parses a proxy id (`name`, `name:port`, `scheme:name:port`) as upstream's utilnet does. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | null {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    [name, port] = parts as [string, string];
  } else if (parts.length === 3) {
    [scheme, name, port] = parts as [string, string, string];
  } else {
    return null;
  }
  if (!name || (parts.length > 1 && !port)) return null;
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') return null;
  return { scheme, name, port };
}

/**
 * proxiedPath is the part of a request path after `<resource>/<id>/proxy`, kept encoded and starting with a
 * slash. It counts segments rather than searching for "/proxy", which a name may contain.
 */
export function proxiedPath(rawPathname: string, resource: string): string {
  const parts = rawPathname.split('/');
  const at = parts.indexOf(resource);
  return `/${at < 0 ? '' : parts.slice(at + 3).join('/')}`;
}

/** isGlobalUnicast is Go's net.IP.IsGlobalUnicast: not unspecified, loopback, multicast, link-local or broadcast. */
export function isGlobalUnicast(ip: string): boolean {
  if (isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return !(a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254));
  }
  if (isIPv6(ip)) {
    const lower = ip.toLowerCase();
    return !(lower === '::' || lower === '::1' || lower.startsWith('ff') || /^fe[89ab]/.test(lower));
  }
  return false;
}

async function getObject<T>(ctx: HandlerContext, resource: string, namespace: string | undefined, name: string): Promise<T> {
  const served = ctx.registry.lookup('', 'v1', resource);
  if (!served) throw new ApiError('NotFound', 'the server could not find the requested resource');
  return (await served.store.get(namespace, name)) as unknown as T;
}

async function nodeTarget(ctx: HandlerContext, scheme: string, name: string, port: string): Promise<ProxyTarget> {
  const addr = nodeAddress(await getObject<Node>(ctx, 'nodes', undefined, name));
  if (!addr) throw new ApiError('ServiceUnavailable', 'no preferred addresses found; known addresses: []');
  const kubelet = port === '' || port === String(addr.port);
  return { url: new URL(`${kubelet ? 'https' : scheme || 'http'}://${hostPort(addr.host, kubelet ? String(addr.port) : port)}`), kubelet };
}

async function podTarget(ctx: HandlerContext, namespace: string, scheme: string, name: string, port: string): Promise<ProxyTarget> {
  const pod = await getObject<Pod>(ctx, 'pods', namespace, name);
  const declared = pod.spec?.containers.find((c) => (c.ports?.length ?? 0) > 0)?.ports?.[0]?.containerPort;
  const ip = pod.status?.podIP ?? '';
  // Upstream refuses addresses that would reach the API server's own host (loopback, link-local).
  if (!isGlobalUnicast(ip)) throw badRequest('address not allowed');
  return { url: new URL(`${scheme || 'http'}://${hostPort(ip, port || (declared === undefined ? '' : String(declared)))}`), kubelet: false };
}

async function serviceTarget(ctx: HandlerContext, namespace: string, scheme: string, name: string, port: string): Promise<ProxyTarget> {
  let portName = port;
  if (/^\d+$/.test(port)) {
    const svc = await getObject<Service>(ctx, 'services', namespace, name);
    const declared = svc.spec?.ports?.find((p) => p.port === Number(port));
    if (!declared) throw new ApiError('ServiceUnavailable', `no service port ${port} found for service "${name}"`);
    portName = declared.name ?? '';
  }
  const eps = await getObject<Endpoints>(ctx, 'endpoints', namespace, name);
  const subsets = eps.subsets ?? [];
  if (subsets.length === 0) throw new ApiError('ServiceUnavailable', `no endpoints available for service "${name}"`);
  // Start from a random subset and address, as upstream does, so repeated requests spread over the endpoints.
  const first = Math.floor(Math.random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(first + i) % subsets.length];
    const addrs = ss?.addresses ?? [];
    const epPort = ss?.ports?.find((p) => (p.name ?? '') === portName);
    if (addrs.length === 0 || !epPort) continue;
    const addr = addrs[Math.floor(Math.random() * addrs.length)];
    if (addr) return { url: new URL(`${scheme || 'http'}://${hostPort(addr.ip, String(epPort.port))}`), kubelet: false };
  }
  throw new ApiError('ServiceUnavailable', `no endpoints available for service "${name}"`);
}

/** proxyLocation resolves a proxy request for a node, pod or service to the address it is passed on to. */
export async function proxyLocation(ctx: HandlerContext, resource: ProxyResource, namespace: string, id: string, url: URL): Promise<ProxyTarget> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid ${kindWord[resource]} request "${id}"`);
  const { scheme, name, port } = parsed;
  const target =
    resource === 'nodes' ? await nodeTarget(ctx, scheme, name, port)
    : resource === 'pods' ? await podTarget(ctx, namespace, scheme, name, port)
    : await serviceTarget(ctx, namespace, scheme, name, port);
  target.url.pathname = proxiedPath(url.pathname, resource);
  target.url.search = url.search;
  return target;
}

/** handleProxy passes a proxy request on and streams the answer back. */
export async function handleProxy(ctx: HandlerContext, resource: ProxyResource, namespace: string, id: string, req: ApiRequest, url: URL): Promise<ApiResponse> {
  const target = await proxyLocation(ctx, resource, namespace, id, url);
  const kubelet = ctx.kubelet;
  if (target.kubelet && !kubelet) throw new ApiError('ServiceUnavailable', `nodes/proxy for node ${id}: the API server has no credentials for node agents`);
  const body = req.method === 'GET' || req.method === 'HEAD' ? new Uint8Array(0) : await readBody(req);
  const out = { method: req.method, headers: req.headers, body };
  try {
    return fromWebResponse(await (target.kubelet && kubelet ? kubelet.forward(target.url, out) : forward(target.url, out, { rejectUnauthorized: false })));
  } catch (err) {
    // Upstream's proxy answers a failed dial with a reason-less 500 Status, which kubectl prints as
    // "Error from server: error trying to reach service: ...".
    const message = `error trying to reach service: ${err instanceof Error ? err.message : String(err)}`;
    return jsonResponse(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
  }
}
