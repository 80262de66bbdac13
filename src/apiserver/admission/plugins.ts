import type { Clock } from '../../clock.ts';
import { DefaultIngressClass } from './default-ingress-class.ts';
import { DefaultStorageClass } from './default-storage-class.ts';
import { DefaultTolerationSeconds, type DefaultTolerationSecondsOptions } from './default-toleration-seconds.ts';
import { LimitRanger } from './limit-ranger.ts';
import { NamespaceLifecycle } from './namespace-lifecycle.ts';
import { Priority } from './priority.ts';
import { ResourceQuotaAdmission } from './resource-quota.ts';
import { ServiceAccount } from './service-account.ts';
import { StorageObjectInUseProtection } from './storage-object-in-use-protection.ts';
import type { AdmissionObjects, AdmissionPlugin } from './types.ts';

/** AdmissionOptions tune the default plugins. */
export interface AdmissionOptions {
  defaultTolerationSeconds?: DefaultTolerationSecondsOptions;
}

/**
 * defaultAdmissionPlugins are the plugins upstream enables by default that Berth implements, in upstream's order
 * (NamespaceLifecycle, LimitRanger, ServiceAccount, Priority, DefaultTolerationSeconds, DefaultStorageClass,
 * StorageObjectInUseProtection, DefaultIngressClass, ResourceQuota last).
 */
export function defaultAdmissionPlugins(objects: AdmissionObjects, clock: Clock, opts: AdmissionOptions = {}): AdmissionPlugin[] {
  return [
    new NamespaceLifecycle(objects),
    new LimitRanger(objects),
    new ServiceAccount(objects),
    new Priority(objects),
    new DefaultTolerationSeconds(opts.defaultTolerationSeconds),
    new DefaultStorageClass(objects),
    new StorageObjectInUseProtection(),
    new DefaultIngressClass(objects),
    new ResourceQuotaAdmission(objects, clock),
  ];
}
