import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiError, badRequest } from '../../api/errors.ts';
import { readBody } from '../body.ts';
import { fromWebResponse, jsonResponse, type ApiRequest, type ApiResponse } from '../message.ts';
import type { HandlerContext } from './context.ts';
import { nodeAddress } from './pod-connect.ts';

// nodes/proxy: `/api/v1/nodes/<id>/proxy/<path>` forwarded to a node, as upstream's node ResourceLocation and
// proxy REST do. The id is `name`, `name:port` or `scheme:name:port`; without a port, or with the node's own
// kubelet port, the request goes to the node agent over HTTPS with the API server's kubelet-client
// certificate (so `kubectl get --raw /api/v1/nodes/n/proxy/metrics/cadvisor` works); any other port on the
// node is reached with the scheme asked for (http by default) and no client certificate.

/** NodeProxyTarget is where a nodes/proxy request goes, and whether the agent's credentials apply. */
export interface NodeProxyTarget {
  url: URL;
  kubelet: boolean;
}

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
 * slash. It counts segments rather than searching for "/proxy", which a node's name may contain.
 */
export function proxiedPath(rawPathname: string, resource: string): string {
  const parts = rawPathname.split('/');
  const at = parts.indexOf(resource);
  return `/${at < 0 ? '' : parts.slice(at + 3).join('/')}`;
}

/** nodeProxyLocation resolves a nodes/proxy request to the node's address. */
export async function nodeProxyLocation(ctx: HandlerContext, id: string, url: URL): Promise<NodeProxyTarget> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid node request "${id}"`);
  const nodes = ctx.registry.lookup('', 'v1', 'nodes');
  if (!nodes) throw new ApiError('NotFound', 'the server could not find the requested resource');
  const node = (await nodes.store.get(undefined, parsed.name)) as unknown as Node;
  const addr = nodeAddress(node);
  if (!addr) throw new ApiError('ServiceUnavailable', 'no preferred addresses found; known addresses: []');
  const kubelet = parsed.port === '' || parsed.port === String(addr.port);
  const port = kubelet ? String(addr.port) : parsed.port;
  const scheme = kubelet ? 'https' : parsed.scheme || 'http';
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  const target = new URL(`${scheme}://${host}:${port}`);
  target.pathname = proxiedPath(url.pathname, 'nodes');
  target.search = url.search;
  return { url: target, kubelet };
}

/** handleNodeProxy forwards a nodes/proxy request and streams the node's answer back. */
export async function handleNodeProxy(ctx: HandlerContext, id: string, req: ApiRequest, url: URL): Promise<ApiResponse> {
  const target = await nodeProxyLocation(ctx, id, url);
  if (!ctx.kubelet) throw new ApiError('ServiceUnavailable', `nodes/proxy for node ${id}: the API server has no credentials for node agents`);
  const body = req.method === 'GET' || req.method === 'HEAD' ? new Uint8Array(0) : await readBody(req);
  try {
    return fromWebResponse(await ctx.kubelet.forward(target.url, { method: req.method, headers: req.headers, body, kubelet: target.kubelet }));
  } catch (err) {
    // Upstream's proxy answers a failed dial with a reason-less 500 Status, which kubectl prints as
    // "Error from server: error trying to reach service: ...".
    const message = `error trying to reach service: ${err instanceof Error ? err.message : String(err)}`;
    return jsonResponse(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
  }
}
