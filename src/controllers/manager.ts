import { InformerFactory, RestMapper, type Client } from '../client/index.ts';
import type { Clock } from '../clock.ts';
import type { Controller, ControllerDeps, ControllerFactory, ControllerSettings } from './controller.ts';
import { CronJobController } from './cronjob/controller.ts';
import { DaemonSetController } from './daemonset/controller.ts';
import { DeploymentController } from './deployment/controller.ts';
import { EndpointsController } from './endpoints/controller.ts';
import { EndpointSliceController } from './endpointslice/controller.ts';
import { JobController } from './job/controller.ts';
import { HorizontalPodAutoscalerController } from './podautoscaler/controller.ts';
import { GarbageCollector } from './garbagecollector/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { NodeIpamController } from './nodeipam/controller.ts';
import { NodeLifecycleController } from './nodelifecycle/controller.ts';
import { TaintEvictionController } from './tainteviction/controller.ts';
import { PodGcController } from './podgc/controller.ts';
import { DisruptionController } from './disruption/controller.ts';
import { defaultLocalPathDir, PersistentVolumeController } from './persistentvolume/index.ts';
import { RootCaCertPublisher } from './rootcacertpublisher/controller.ts';
import { PvcProtectionController } from './volumeprotection/pvc-protection.ts';
import { PvProtectionController } from './volumeprotection/pv-protection.ts';
import { ServiceAccountController } from './serviceaccount/controller.ts';
import { ServiceLbController } from './servicelb/controller.ts';
import { StatefulSetController } from './statefulset/controller.ts';
import { ResourceQuotaController } from './resourcequota/controller.ts';
import { EventBroadcaster } from '../client/events.ts';
import { Scheduler } from '../scheduler/scheduler.ts';

/** controllerRegistry names every controller the manager can run; a duplicate name is a startup error. */
export function controllerRegistry(): Map<string, ControllerFactory> {
  const entries: [string, ControllerFactory][] = [
    ['garbagecollector', (d) => new GarbageCollector(d)],
    ['namespace', (d) => new NamespaceController(d)],
    ['serviceaccount', (d) => new ServiceAccountController(d)],
    ['root-ca-cert-publisher', (d) => new RootCaCertPublisher(d, d.rootCaPem ?? '')],
    ['replicaset', (d) => new ReplicaSetController(d)],
    ['deployment', (d) => new DeploymentController(d)],
    ['statefulset', (d) => new StatefulSetController(d)],
    ['daemonset', (d) => new DaemonSetController(d)],
    ['job', (d) => new JobController(d)],
    ['cronjob', (d) => new CronJobController(d)],
    ['endpoints', (d) => new EndpointsController(d)],
    ['endpointslice', (d) => new EndpointSliceController(d)],
    ['nodeipam', (d) => new NodeIpamController(d, { ...(d.settings?.clusterCidr ? { clusterCidr: d.settings.clusterCidr } : {}) })],
    ['servicelb', (d) => new ServiceLbController(d, { ...(d.settings?.serviceLbPool ? { pool: d.settings.serviceLbPool } : {}) })],
    ['resourcequota', (d) => new ResourceQuotaController(d)],
    ['horizontalpodautoscaling', (d) => new HorizontalPodAutoscalerController(d, { ...(d.settings?.hpaSyncPeriodMs !== undefined ? { syncPeriodMs: d.settings.hpaSyncPeriodMs } : {}) })],
    ['nodelifecycle', (d) => new NodeLifecycleController(d)],
    ['tainteviction', (d) => new TaintEvictionController(d)],
    ['podgc', (d) => new PodGcController(d)],
    ['disruption', (d) => new DisruptionController(d)],
    ['pvc-protection', (d) => new PvcProtectionController(d)],
    ['pv-protection', (d) => new PvProtectionController(d)],
    ['persistentvolume-binder', (d) => new PersistentVolumeController(d, { localPathDir: d.settings?.localPathDir ?? defaultLocalPathDir('/var/lib/berth') })],
    ['scheduler', (d) => new Scheduler({ client: d.client, informers: d.informers, clock: d.clock, log: d.log, recorder: d.recorder('default-scheduler') })],
  ];
  const reg = new Map<string, ControllerFactory>();
  for (const [name, f] of entries) {
    if (reg.has(name)) throw new Error(`duplicate controller ${name}`);
    reg.set(name, f);
  }
  return reg;
}

/** ControllerManagerOptions configure which controllers run. */
export interface ControllerManagerOptions {
  client: Client;
  clock: Clock;
  log: (msg: string) => void;
  disabled?: string[];
  /** settings tune individual controllers (from `berth server` flags). */
  settings?: ControllerSettings;
  /** rootCaPem is the cluster CA certificate, for the root-ca-cert-publisher. */
  rootCaPem?: string;
}

/** ControllerManager runs the registered controllers with one shared informer factory. */
export class ControllerManager {
  readonly controllers: Controller[];
  readonly #informers: InformerFactory;
  readonly #events: EventBroadcaster;

  constructor(opts: ControllerManagerOptions) {
    this.#informers = new InformerFactory(opts.client, opts.log);
    this.#events = new EventBroadcaster({ client: opts.client, clock: opts.clock, log: opts.log });
    const events = this.#events;
    const deps: ControllerDeps = {
      client: opts.client,
      informers: this.#informers,
      mapper: new RestMapper(opts.client.transport),
      clock: opts.clock,
      log: opts.log,
      recorder: (component) => events.newRecorder({ component }),
      ...(opts.settings ? { settings: opts.settings } : {}),
      ...(opts.rootCaPem ? { rootCaPem: opts.rootCaPem } : {}),
    };
    const disabled = new Set(opts.disabled ?? []);
    this.controllers = [...controllerRegistry()].filter(([name]) => !disabled.has(name)).map(([, f]) => f(deps));
  }

  /** start runs every controller until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    this.#events.start(signal);
    const running = this.controllers.map((c) => c.start(signal));
    this.#informers.start(signal);
    await Promise.all(running);
  }
}
