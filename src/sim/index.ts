export { SimCluster, type SimClusterDeps, type SimStats } from './cluster.ts';
export { defaultSimOptions, parseDuration, parseLabels, parseTaints, splitList, validateSimOptions, type SimOptions } from './options.ts';
export { exitCodeAnnotation, failureRateAnnotation, runTimeAnnotation, type PodAgentStats } from './pod-agent.ts';
export { podQosClass } from '../api/core/qos.ts';
export type { HeartbeatStats } from './heartbeat.ts';
export { customMetricsAnnotation, SimPodCustomMetrics } from './custom-metrics.ts';
