export { IngressController, type IngressControllerOptions } from './controller.ts';
export { IngressProxy, type IngressProxyOptions } from './proxy.ts';
export { IngressMetrics } from './metrics.ts';
export { RoutingTable } from './routing.ts';
export { buildConfig, type ClusterView } from './build.ts';
export { controllerName, defaultClassName } from './class.ts';
export { emptyConfig, type IngressConfig } from './config.ts';
export { selfSignedCertificate } from './tls.ts';
