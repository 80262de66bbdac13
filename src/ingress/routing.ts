import type { BackendConfig, CanaryConfig, IngressConfig, RouteConfig, ServerConfig } from './config.ts';

/** Upstream is one endpoint address of a backend. */
export interface Upstream {
  host: string;
  port: number;
  /** address is "ip:port" as written in the config (for logs). */
  address: string;
  /** pod is the endpoint's Pod ("namespace/name"; '' when it has none), for per-pod metrics. */
  pod: string;
}

/** Backend is a compiled BackendConfig with its load-balancing state. */
export interface Backend {
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly upstreams: Upstream[];
  /** next is the round-robin cursor; it survives config updates when the backend's name stays. */
  next: number;
}

/** Target is where a decided request goes, with what its metrics and logs are labelled by. */
export interface Target {
  /** ingress is "namespace/name" of the Ingress whose rule sent the request here. */
  readonly ingress: string;
  readonly namespace: string;
  readonly ingressName: string;
  /** backend is null for resource backends and unresolvable services (503). */
  readonly backend: Backend | null;
  readonly service: string;
  /** canary is true when this is a canary's target. */
  readonly canary: boolean;
  /** stats caches per-status metric handles (the data plane fills it; the table never reads it). */
  stats: Map<number, unknown> | null;
}

/** Canary is a compiled CanaryConfig. */
export interface Canary {
  readonly target: Target;
  /** header is lower-cased, as Node keys request headers. */
  readonly header: string;
  readonly headerValue: string;
  readonly headerPattern: RegExp | null;
  readonly cookie: string;
  readonly weight: number;
  readonly weightTotal: number;
}

/** Route is a compiled RouteConfig: its main target and the canary that may take a request from it. */
export interface Route {
  readonly target: Target;
  readonly canary: Canary | null;
}

/** Server is a compiled virtual host. */
interface Server {
  readonly exact: Map<string, Route>;
  /** prefix is keyed by the path without trailing slashes ("/" stays "/"). */
  readonly prefix: Map<string, Route>;
  readonly fallback: Route | null;
  readonly sslRedirect: boolean;
}

/** Match is the outcome of looking a request up: the route (null: 404) and whether HTTP must redirect to HTTPS. */
export interface Match {
  route: Route | null;
  sslRedirect: boolean;
}

const notFound: Match = { route: null, sslRedirect: false };

/**
 * RoutingTable answers "which backend serves this host and path" with map lookups only: hosts exact, then
 * one-label wildcard, then the catch-all server; paths Exact first, then the longest element-wise Prefix.
 */
export class RoutingTable {
  readonly #exactHosts = new Map<string, Server>();
  readonly #wildcardHosts = new Map<string, Server>();
  readonly #catchAll: Server | null;
  readonly backends: ReadonlyMap<string, Backend>;

  /** constructor compiles a config; previous carries round-robin cursors over from the table it replaces. */
  constructor(config: IngressConfig, previous?: RoutingTable) {
    const backends = new Map<string, Backend>();
    for (const b of config.backends) backends.set(b.name, compileBackend(b, previous?.backends.get(b.name)));
    this.backends = backends;
    let catchAll: Server | null = null;
    for (const s of config.servers) {
      const server = compileServer(s, backends);
      if (s.host === '') catchAll = server;
      else if (s.host.startsWith('*.')) this.#wildcardHosts.set(s.host.slice(2), server);
      else this.#exactHosts.set(s.host, server);
    }
    this.#catchAll = catchAll;
  }

  /** match finds the route of a request; host is the Host header (any case, port allowed), path the URL path without query. */
  match(hostHeader: string, path: string): Match {
    const server = this.#server(hostHeader);
    if (!server) return notFound;
    return { route: matchPath(server, path), sslRedirect: server.sslRedirect };
  }

  #server(hostHeader: string): Server | null {
    const host = normalizeHost(hostHeader);
    const exact = this.#exactHosts.get(host);
    if (exact) return exact;
    if (this.#wildcardHosts.size > 0) {
      // A wildcard covers exactly one DNS label, as upstream's Ingress spec says: *.foo.com matches bar.foo.com only.
      const dot = host.indexOf('.');
      if (dot > 0) {
        const wild = this.#wildcardHosts.get(host.slice(dot + 1));
        if (wild) return wild;
      }
    }
    return this.#catchAll;
  }
}

/** normalizeHost lower-cases a Host header and strips its port (IPv6 literals keep their brackets). */
export function normalizeHost(h: string): string {
  let host = h;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf(']');
    host = end > 0 ? host.slice(0, end + 1) : host;
  } else {
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.toLowerCase();
}

function matchPath(server: Server, path: string): Route | null {
  const exact = server.exact.get(path);
  if (exact) return exact;
  if (server.prefix.size > 0) {
    // Element-wise prefix: try the path itself and each parent ("/a/b", "/a", "/"); the first hit is the longest.
    let candidate = trimSlashes(path);
    for (;;) {
      const r = server.prefix.get(candidate);
      if (r) return r;
      if (candidate === '/' || candidate === '') break;
      const slash = candidate.lastIndexOf('/');
      candidate = slash <= 0 ? '/' : candidate.slice(0, slash);
    }
  }
  return server.fallback;
}

/** trimSlashes drops trailing slashes, keeping "/" for the root. */
function trimSlashes(p: string): string {
  let end = p.length;
  while (end > 1 && p.charCodeAt(end - 1) === 47 /* / */) end--;
  return end === p.length ? p : p.slice(0, end);
}

function compileBackend(b: BackendConfig, previous: Backend | undefined): Backend {
  const upstreams = b.endpoints.map((address) => ({ ...parseAddress(address), pod: b.pods?.[address] ?? '' }));
  return { name: b.name, namespace: b.namespace, service: b.service, upstreams, next: previous ? previous.next % Math.max(1, upstreams.length) : 0 };
}

/** parseAddress splits "ip:port" or "[v6]:port". */
export function parseAddress(address: string): Omit<Upstream, 'pod'> {
  const colon = address.lastIndexOf(':');
  let host = address.slice(0, colon);
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { host, port: Number(address.slice(colon + 1)), address };
}

function compileServer(s: ServerConfig, backends: Map<string, Backend>): Server {
  const exact = new Map<string, Route>();
  const prefix = new Map<string, Route>();
  // The builder orders routes oldest Ingress first; the first claim of a path wins, as in ingress-nginx.
  for (const r of s.routes) {
    const map = r.pathType === 'Exact' ? exact : prefix;
    const key = r.pathType === 'Exact' ? r.path : trimSlashes(r.path);
    if (!map.has(key)) map.set(key, compileRoute(r, backends));
  }
  return { exact, prefix, fallback: s.defaultRoute ? compileRoute(s.defaultRoute, backends) : null, sslRedirect: s.sslRedirect };
}

function compileRoute(r: RouteConfig, backends: Map<string, Backend>): Route {
  return { target: compileTarget(r.ingress, backends.get(r.backend) ?? null, false), canary: r.canary ? compileCanary(r.canary, r.ingress, backends) : null };
}

function compileTarget(ingress: string, backend: Backend | null, canary: boolean): Target {
  const slash = ingress.indexOf('/');
  return { ingress, namespace: ingress.slice(0, slash), ingressName: ingress.slice(slash + 1), backend, service: backend?.service ?? '', canary, stats: null };
}

// Canary requests are labelled with the main Ingress (the location's owner, as in ingress-nginx) and the canary backend.
function compileCanary(c: CanaryConfig, mainIngress: string, backends: Map<string, Backend>): Canary {
  let pattern: RegExp | null = null;
  if (c.headerPattern) {
    try {
      pattern = new RegExp(c.headerPattern);
    } catch {
      // ingress-nginx logs a bad pattern and treats the request as not matching; a never-matching pattern does the same.
      pattern = /(?!)/;
    }
  }
  return {
    target: compileTarget(mainIngress, backends.get(c.backend) ?? null, true),
    header: (c.header ?? '').toLowerCase(),
    headerValue: c.headerValue ?? '',
    headerPattern: pattern,
    cookie: c.cookie ?? '',
    weight: c.weight,
    weightTotal: c.weightTotal > 100 ? c.weightTotal : 100,
  };
}

/** RequestHeaders are a request's headers keyed by lower-case name (node:http's IncomingHttpHeaders). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * routeToCanary decides as ingress-nginx's balancer does: header (value, pattern, or always/never), then
 * cookie (always/never), then weight (random integer in 1..weightTotal at most weight); a canary without
 * ready endpoints never applies.
 */
export function routeToCanary(c: Canary, headers: RequestHeaders, random: () => number): boolean {
  const b = c.target.backend;
  if (!b || b.upstreams.length === 0) return false;
  if (c.header) {
    const raw = headers[c.header];
    const v = Array.isArray(raw) ? raw.join(', ') : raw;
    if (v !== undefined) {
      if (c.headerValue) {
        if (v === c.headerValue) return true;
      } else if (c.headerPattern) {
        if (c.headerPattern.test(v)) return true;
      } else if (v === 'always') return true;
      else if (v === 'never') return false;
    }
  }
  if (c.cookie) {
    const raw = headers.cookie;
    const v = cookieValue(Array.isArray(raw) ? raw.join('; ') : raw, c.cookie);
    if (v === 'always') return true;
    if (v === 'never') return false;
  }
  if (c.weight <= 0) return false;
  return Math.floor(random() * c.weightTotal) + 1 <= c.weight;
}

/** cookieValue finds one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** pickUpstream returns the backend's next endpoint round-robin, skipping those in tried. */
export function pickUpstream(b: Backend, tried?: ReadonlySet<Upstream>): Upstream | null {
  const n = b.upstreams.length;
  for (let i = 0; i < n; i++) {
    const u = b.upstreams[b.next % n] as Upstream;
    b.next = (b.next + 1) % n;
    if (!tried || !tried.has(u)) return u;
  }
  return null;
}
