import { builtinResources, isMetricsResource, type ResourceInfo } from '../../api/kinds.ts';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { prepareDaemonSetForCreate, prepareDaemonSetForUpdate } from '../../api/apps/index.ts';
import type { Service } from 'kubernetes-types/core/v1.js';
import { dropTypeDependentFields } from '../../api/core/service-update.ts';
import { generateJobSelector } from '../../api/batch/index.ts';
import type { ApiObject } from '../../api/object.ts';
import { eventCoreToV1, eventV1ToCore } from './event-versions.ts';
import { hpaV1Strategy, hpaV1ToV2, hpaV2ToV1 } from './hpa-v1.ts';
import { resourcePrefix } from './keys.ts';
import { defineResource, type ResourceDef } from './resource.ts';
import { carryOver, defineStrategy, type StrategyParts } from './strategy.ts';

// Kinds whose metadata.generation tracks spec changes, as upstream's strategies do.
const generationKinds = new Set([
  'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler', 'policy/PodDisruptionBudget', 'networking.k8s.io/Ingress',
  'networking.k8s.io/NetworkPolicy', 'apiextensions.k8s.io/CustomResourceDefinition', '/Service', '/PersistentVolumeClaim',
]);

// Review kinds are answered, not stored.
const virtualKinds = new Set(['SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview', 'SelfSubjectReview', 'TokenReview']);

/** overrides holds the strategy parts that differ from the generic behaviour, by "group/Kind". */
const overrides: Record<string, StrategyParts> = {
  '/Pod': {
    prepareForCreate: (obj: ApiObject) => {
      // A new pod starts Pending; only the node agent reports further status.
      obj.status = { phase: 'Pending' };
    },
    prepareForUpdate: (obj: ApiObject, old: ApiObject, ctx) => {
      if (ctx.subresource === 'ephemeralcontainers') keepEphemeralContainersOnly(obj, old);
      else carryOver(obj, old, ctx, true);
    },
  },
  'apps/DaemonSet': {
    prepareForCreate: (obj: ApiObject) => {
      delete obj.status;
      prepareDaemonSetForCreate(obj as DaemonSet);
    },
    prepareForUpdate: (obj: ApiObject, old: ApiObject, ctx) => {
      carryOver(obj, old, ctx, true);
      prepareDaemonSetForUpdate(obj as DaemonSet, old as DaemonSet);
    },
  },
  'batch/Job': {
    prepareForCreate: (obj: ApiObject) => {
      delete obj.status;
      generateJobSelector(obj as Job);
    },
  },
  '/Namespace': {
    prepareForCreate: (obj: ApiObject) => {
      obj.status = { phase: 'Active' };
      const spec = (obj.spec ?? {}) as { finalizers?: string[] };
      if (!spec.finalizers) spec.finalizers = ['kubernetes'];
      obj.spec = spec;
    },
    // spec.finalizers keeps a deleted namespace, Terminating, until the namespace controller has
    // emptied it and cleared them through /finalize.
    holdsDeletion: (obj: ApiObject) => {
      const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      if (finalizers.length === 0) return false;
      obj.status = { ...((obj.status as object | undefined) ?? {}), phase: 'Terminating' };
      return true;
    },
  },
  '/Service': {
    prepareForUpdate: (obj: ApiObject, old: ApiObject, ctx) => {
      carryOver(obj, old, ctx, true);
      if (ctx.subresource === '') dropTypeDependentFields(obj as Service, old as Service);
    },
  },
  '/Node': {
    // The node agent registers its node with status already filled in.
    prepareForCreate: () => {},
  },
};

/**
 * keepEphemeralContainersOnly makes a pods/ephemeralcontainers write the stored pod with the request's
 * spec.ephemeralContainers and nothing else of it (upstream's dropNonEphemeralContainerUpdates).
 */
function keepEphemeralContainersOnly(obj: ApiObject, old: ApiObject): void {
  const eph = (obj.spec as { ephemeralContainers?: unknown } | undefined)?.ephemeralContainers;
  const { resourceVersion, managedFields } = obj.metadata ?? {};
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, structuredClone(old));
  const meta = (obj.metadata ??= {});
  if (resourceVersion !== undefined) meta.resourceVersion = resourceVersion;
  if (managedFields !== undefined) meta.managedFields = managedFields;
  const spec = (obj.spec ?? {}) as { ephemeralContainers?: unknown };
  if (eph === undefined) delete spec.ephemeralContainers;
  else spec.ephemeralContainers = eph;
  obj.spec = spec;
}

/** builtinDefs builds the definitions of every stored built-in resource; `extra` adds defaults and validation by "group/Kind". */
export function builtinDefs(extra: (group: string, kind: string) => StrategyParts = () => ({})): ResourceDef[] {
  const defs: ResourceDef[] = [];
  for (const info of builtinResources) {
    if (virtualKinds.has(info.kind) || isMetricsResource(info)) continue;
    if (info.group === 'autoscaling' && info.version === 'v1') {
      defs.push(hpaV1Def(info, extra));
      continue;
    }
    if (info.group === 'events.k8s.io') {
      defs.push(eventsV1Def(info, extra));
      continue;
    }
    defs.push(defineResource(info, strategyFor(info, extra)));
  }
  return defs;
}

/** hpaV1Def serves autoscaling/v1 HorizontalPodAutoscalers from the autoscaling/v2 storage, converting both ways. */
function hpaV1Def(info: ResourceInfo, extra: (group: string, kind: string) => StrategyParts): ResourceDef {
  const v2Parts = extra('autoscaling', 'HorizontalPodAutoscaler');
  const def = defineResource(info, defineStrategy({ hasStatus: true, tracksGeneration: true, ...hpaV1Strategy(v2Parts) }));
  def.storageApiVersion = 'autoscaling/v2';
  def.convert = { toStorage: hpaV1ToV2, toServed: hpaV2ToV1 };
  return def;
}

/** eventsV1Def serves events.k8s.io/v1 Events from the core Event storage, converting both ways. */
function eventsV1Def(info: ResourceInfo, extra: (group: string, kind: string) => StrategyParts): ResourceDef {
  const def = defineResource(info, strategyFor(info, extra));
  def.prefix = resourcePrefix({ group: '', resource: 'events' });
  def.storageApiVersion = 'v1';
  def.convert = { toStorage: eventV1ToCore, toServed: eventCoreToV1 };
  return def;
}

function strategyFor(info: ResourceInfo, extra: (group: string, kind: string) => StrategyParts) {
  const id = `${info.group}/${info.kind}`;
  return defineStrategy({
    hasStatus: info.subresources.includes('status'),
    tracksGeneration: generationKinds.has(id),
    ...overrides[id],
    ...extra(info.group, info.kind),
  });
}
