// The ingress's routing configuration as plain, structured-cloneable data: the controller builds it from
// API objects, and each data plane (in this thread or in a worker) compiles it into a RoutingTable.

/** BackendConfig is one upstream: a Service port resolved to the addresses of its ready endpoints. */
export interface BackendConfig {
  /** name identifies the backend ("namespace/service:port") across config updates (round-robin state is kept per name). */
  name: string;
  namespace: string;
  service: string;
  /** endpoints are "ip:port" ("[v6]:port" for IPv6); empty means no ready endpoint (503). */
  endpoints: string[];
  /** pods maps an endpoint to its Pod ("namespace/name", the EndpointSlice's targetRef), for per-pod metrics. */
  pods?: Record<string, string>;
}

/** CanaryConfig is an ingress-nginx canary attached to a route: when it applies, the request goes to its backend. */
export interface CanaryConfig {
  /** ingress is the canary Ingress ("namespace/name"). */
  ingress: string;
  backend: string;
  header?: string;
  headerValue?: string;
  headerPattern?: string;
  cookie?: string;
  weight: number;
  weightTotal: number;
}

/** PathType is how a route's path matches (ImplementationSpecific is compiled as Prefix). */
export type PathType = 'Exact' | 'Prefix';

/** RouteConfig sends matching requests to a backend ('' for a resource backend or an unresolved one: 503). */
export interface RouteConfig {
  path: string;
  pathType: PathType;
  backend: string;
  /** ingress is the Ingress the route comes from ("namespace/name"), for metrics and logs. */
  ingress: string;
  canary?: CanaryConfig;
}

/** ServerConfig is one virtual host: '' is the catch-all, "*.example.com" a wildcard. */
export interface ServerConfig {
  host: string;
  routes: RouteConfig[];
  /** defaultRoute serves requests no path matches (an Ingress's spec.defaultBackend); absent means 404. */
  defaultRoute?: RouteConfig;
  /** sslRedirect answers plain HTTP with a 308 to HTTPS (the host has TLS and redirects are on). */
  sslRedirect: boolean;
}

/** TlsConfig is one certificate and the hosts (exact or "*.wildcard") it serves. */
export interface TlsConfig {
  hosts: string[];
  certPem: string;
  keyPem: string;
  /** id changes when the certificate does (secret uid + resourceVersion), so contexts are rebuilt only then. */
  id: string;
}

/** IngressConfig is the whole routing configuration a data plane serves. */
export interface IngressConfig {
  servers: ServerConfig[];
  backends: BackendConfig[];
  tls: TlsConfig[];
}

/** emptyConfig serves nothing (every request 404). */
export function emptyConfig(): IngressConfig {
  return { servers: [], backends: [], tls: [] };
}
