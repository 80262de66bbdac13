export { ServiceProxy, proxyTable, type ServiceProxyOptions, type SyncReport } from './proxy.ts';
export { waitForApplied, isApplied, type AppliedWant } from './applied.ts';
export { hostRunner, netnsRunner, CommandError, type CommandRunner } from './exec.ts';
export { HostNetwork, routeProtocol } from './host.ts';
export { servicePortsOf, categorizeEndpoints, type ServicePortInfo, type ProxyEndpoint } from './model.ts';
export { buildServiceRuleset, type ProxyRulesConfig } from './rules.ts';
export { NetworkPolicyEnforcer, netpolTable, type NetworkPolicyEnforcerOptions, type NetpolSyncReport } from './netpol/enforcer.ts';
export { buildNetpolRuleset } from './netpol/rules.ts';
