export { PodRoutes, type PodRoutesOptions, type PodRoutesReport } from './pod-routes.ts';
export { NodeProxy, type NodeProxyOptions } from './node-proxy.ts';
export { podRouteProtocol, wantedPodRoutes, diffPodRoutes, type PodRoute, type NodeRoute } from './routes.ts';
export { flannelBackends, vxlanDevice, wantedVxlanPeers, diffVxlan, type FlannelBackend, type VxlanPeer } from './vxlan.ts';
