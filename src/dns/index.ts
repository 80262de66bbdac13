export { parseUpstream, type Upstream } from './forwarder.ts';
export { DnsServer, defaultClusterDns, defaultClusterDomain, type DnsServerOptions } from './server.ts';
export type { DnsStats } from './handler.ts';
export { formatResolvConf, hostResolvConf, parseResolvConf, podDnsConfig, podDnsType, type DnsConfigWarning, type PodDnsSettings, type ResolvConf } from './resolv-conf.ts';
export { registerDnsMetrics } from './metrics.ts';
