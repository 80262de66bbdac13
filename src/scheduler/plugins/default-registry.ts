import { systemClock } from '../../clock.ts';
import type { PluginHandle } from '../framework/interface.ts';
import { buildFramework, Registry, type Framework, type FrameworkOptions, type ProfileEntry } from '../framework/registry.ts';
import { imageLocalityName, newImageLocalityPlugin } from './image-locality.ts';
import { interPodAffinityName, newInterPodAffinityPlugin } from './inter-pod-affinity.ts';
import { newNodeAffinityPlugin, nodeAffinityName } from './node-affinity.ts';
import { newNodeNamePlugin, nodeNameName } from './node-name.ts';
import { newNodePortsPlugin, nodePortsName } from './node-ports.ts';
import { newNodeResourcesBalancedAllocationPlugin, nodeResourcesBalancedAllocationName } from './node-resources-balanced-allocation.ts';
import { newNodeResourcesFitPlugin, nodeResourcesFitName } from './node-resources-fit.ts';
import { newNodeUnschedulablePlugin, nodeUnschedulableName } from './node-unschedulable.ts';
import { newPodTopologySpreadPlugin, podTopologySpreadName } from './pod-topology-spread.ts';
import { newTaintTolerationPlugin, taintTolerationName } from './taint-toleration.ts';
import { newVolumeBindingPlugin, volumeBindingName } from './volume-binding.ts';

/** defaultRegistry registers the in-tree plugins under their upstream names. */
export function defaultRegistry(): Registry {
  return new Registry()
    .register(nodeUnschedulableName, () => newNodeUnschedulablePlugin())
    .register(nodeNameName, () => newNodeNamePlugin())
    .register(taintTolerationName, () => newTaintTolerationPlugin())
    .register(nodeAffinityName, () => newNodeAffinityPlugin())
    .register(nodePortsName, () => newNodePortsPlugin())
    .register(nodeResourcesFitName, () => newNodeResourcesFitPlugin())
    .register(volumeBindingName, (h) => newVolumeBindingPlugin(h.volumes))
    .register(podTopologySpreadName, () => newPodTopologySpreadPlugin())
    .register(interPodAffinityName, (h) => newInterPodAffinityPlugin(h.namespaceLabels ? { namespaceLabels: h.namespaceLabels } : {}))
    .register(nodeResourcesBalancedAllocationName, () => newNodeResourcesBalancedAllocationPlugin())
    .register(imageLocalityName, () => newImageLocalityPlugin());
}

/**
 * defaultProfile is upstream's default profile (pkg/scheduler/apis/config/v1/default_plugins.go) for the plugins
 * implemented here, in the same order (which decides the reason a node reports) and with the same score weights.
 */
export const defaultProfile: readonly ProfileEntry[] = Object.freeze([
  { name: nodeUnschedulableName },
  { name: nodeNameName },
  { name: taintTolerationName, weight: 3 },
  { name: nodeAffinityName, weight: 2 },
  { name: nodePortsName },
  { name: nodeResourcesFitName, weight: 1 },
  { name: volumeBindingName },
  { name: podTopologySpreadName, weight: 2 },
  { name: interPodAffinityName, weight: 2 },
  { name: nodeResourcesBalancedAllocationName, weight: 1 },
  { name: imageLocalityName, weight: 1 },
]);

/** newDefaultFramework builds the default profile; the clock defaults to the system clock. */
export function newDefaultFramework(handle: Partial<PluginHandle> = {}, opts: FrameworkOptions = {}): Framework {
  return buildFramework(defaultRegistry(), defaultProfile, { clock: systemClock, ...handle }, opts);
}
