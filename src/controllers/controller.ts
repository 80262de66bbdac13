import type { EventRecorder } from '../client/events.ts';
import type { Client, InformerFactory, RestMapper } from '../client/index.ts';
import type { Clock } from '../clock.ts';

/** ControllerDeps are what every controller receives: the API client, shared informers, discovery, clock and logger. */
export interface ControllerDeps {
  client: Client;
  informers: InformerFactory;
  mapper: RestMapper;
  clock: Clock;
  log: (msg: string) => void;
  /** recorder returns an event recorder for a component ("deployment-controller", "default-scheduler"). */
  recorder: (component: string) => EventRecorder;
  /** settings are the tunables `berth server` flags set (kube-controller-manager's); absent fields take upstream defaults. */
  settings?: ControllerSettings;
  /** rootCaPem is the cluster CA certificate (PEM), published into every namespace as kube-root-ca.crt. */
  rootCaPem?: string;
}

/** ControllerSettings are per-controller tunables, named after kube-controller-manager's flags; durations are in ms. */
export interface ControllerSettings {
  /** nodeMonitorGracePeriodMs is how long a node may go without a heartbeat before it is Unknown (--node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** nodeMonitorPeriodMs is how often node health is checked (--node-monitor-period, 5 s). */
  nodeMonitorPeriodMs?: number;
  /** nodeStartupGracePeriodMs is the grace of a node that never posted status (--node-startup-grace-period, 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** nodeEvictionRate is how many nodes per second per zone get NoExecute taints (--node-eviction-rate, 0.1). */
  nodeEvictionRate?: number;
  /** secondaryNodeEvictionRate applies to large zones in partial disruption (--secondary-node-eviction-rate, 0.01). */
  secondaryNodeEvictionRate?: number;
  /** largeClusterSizeThreshold is the zone size above which the secondary rate applies instead of stopping (--large-cluster-size-threshold, 50). */
  largeClusterSizeThreshold?: number;
  /** unhealthyZoneThreshold is the share of not-ready nodes that makes a zone partially disrupted (--unhealthy-zone-threshold, 0.55). */
  unhealthyZoneThreshold?: number;
  /** terminatedPodGcThreshold is how many finished pods may exist before the oldest are deleted (--terminated-pod-gc-threshold, 12500). */
  terminatedPodGcThreshold?: number;
  /** hpaSyncPeriodMs is how often each HorizontalPodAutoscaler is reconciled (--horizontal-pod-autoscaler-sync-period, 15 s). */
  hpaSyncPeriodMs?: number;
  /** clusterCidr is the pod network nodes get their pod CIDRs from (--cluster-cidr, 10.42.0.0/16). */
  clusterCidr?: string;
  /** podGcPeriodMs is how often pod GC runs (upstream 20 s). */
  podGcPeriodMs?: number;
  /** localPathDir is where local-path volumes live on nodes (`<data-dir>/storage`; one path for every node, as k3s). */
  localPathDir?: string;
  /** serviceLbPool is the CIDR ServiceLB gives LoadBalancer Services addresses from (--service-lb-pool); unset, they get the nodes' IPs. */
  serviceLbPool?: string;
}

/** Controller is a level-triggered reconcile loop; start runs it until the signal aborts. */
export interface Controller {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
}

/** ControllerFactory builds a controller from its dependencies. */
export type ControllerFactory = (deps: ControllerDeps) => Controller;
