import type { Namespace, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Labels } from '../../api/selectors/index.ts';
import type { Clock } from '../../clock.ts';
import type { EventRegistration } from './events.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import type { Snapshot } from './snapshot.ts';
import type { Status } from './status.ts';

// The plugin contract (upstream's framework/interface.go, reduced to the extension points a pure scheduling cycle needs).

/** maxNodeScore is the highest score a plugin may give after normalization. */
export const maxNodeScore = 100;

/** StateData is per-cycle plugin data; clone is used when preemption tries alternatives on copies. */
export interface StateData {
  clone(): StateData;
}

/** StateKey names a CycleState entry and carries its type. */
export interface StateKey<T extends StateData> {
  readonly name: string;
  /** phantom ties the key to T at compile time; never set. */
  readonly phantom?: (t: T) => void;
}

/** stateKey declares a typed CycleState key. */
export function stateKey<T extends StateData>(name: string): StateKey<T> {
  return { name };
}

/** CycleState is the scratch space plugins share during one scheduling cycle of one pod. */
export class CycleState {
  readonly snapshot: Snapshot;
  /** podInfo is the pod being scheduled, parsed once. */
  readonly podInfo: PodInfo;
  readonly skipFilterPlugins = new Set<string>();
  readonly skipScorePlugins = new Set<string>();
  readonly #data = new Map<string, StateData>();

  constructor(snapshot: Snapshot, podInfo: PodInfo) {
    this.snapshot = snapshot;
    this.podInfo = podInfo;
  }

  /** write stores a plugin's data. */
  write<T extends StateData>(key: StateKey<T>, data: T): void {
    this.#data.set(key.name, data);
  }

  /** read returns a plugin's data, if written this cycle. */
  read<T extends StateData>(key: StateKey<T>): T | undefined {
    // The key's type parameter is the only writer's type, so the cast cannot lie.
    return this.#data.get(key.name) as T | undefined;
  }

  /** clone copies the state, cloning every entry, for a what-if evaluation. */
  clone(): CycleState {
    const c = new CycleState(this.snapshot, this.podInfo);
    for (const [k, v] of this.#data) c.#data.set(k, v.clone());
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}

/** NodeScore is one node's score from one plugin. */
export interface NodeScore {
  readonly name: string;
  score: number;
}

/** PreFilterResult is a status, or a success that restricts the cycle to some nodes (e.g. NodeAffinity on metadata.name). */
export type PreFilterResult = Status | { readonly code: 'Success'; readonly nodeNames: ReadonlySet<string> };

/** PreFilterExtensions update a plugin's PreFilter state when a pod is added to or removed from a node in a what-if. */
export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): Status;
  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): Status;
}

/** Plugin is a named set of optional extension points. */
export interface Plugin {
  readonly name: string;
  /** preFilter runs once per cycle; Skip disables this plugin's filter for the cycle. */
  preFilter?(state: CycleState, pod: Pod): PreFilterResult;
  readonly preFilterExtensions?: PreFilterExtensions;
  /** filter decides whether the pod may run on a node. */
  filter?(state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status;
  /** preScore runs once before scoring the feasible nodes; Skip disables this plugin's score for the cycle. */
  preScore?(state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status;
  /** score rates a feasible node; the result must be within 0..100 after normalizeScore. */
  score?(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  /** normalizeScore rescales the raw scores of all feasible nodes in place. */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): Status;
  /** events are the cluster events that may make a pod this plugin rejected schedulable. */
  readonly events?: readonly EventRegistration[];
}

/** VolumeLookup reads persistent volume objects for VolumeBinding (backed by informer listers when wired). */
export interface VolumeLookup {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass?(name: string): StorageClass | undefined;
}

/** PluginHandle is what plugin factories receive: injected clock and lookups instead of global state. */
export interface PluginHandle {
  readonly clock: Clock;
  /** namespaceLabels returns a namespace's labels (namespaceSelector in pod affinity); undefined when unknown. */
  readonly namespaceLabels?: (namespace: string) => Labels | undefined;
  readonly volumes?: VolumeLookup;
}

/** namespaceLabelsFrom builds a namespaceLabels lookup from Namespace objects (tests, simple wiring). */
export function namespaceLabelsFrom(namespaces: readonly Namespace[]): (namespace: string) => Labels | undefined {
  const m = new Map(namespaces.map((ns) => [ns.metadata?.name ?? '', ns.metadata?.labels ?? {}]));
  return (namespace) => m.get(namespace);
}

/** PluginFactory builds a plugin from the handle. */
export type PluginFactory = (handle: PluginHandle) => Plugin;

/** normalizeDefault scales scores so the maximum becomes 100 (or reverses them), as upstream's DefaultNormalizeScore. */
export function normalizeDefault(scores: NodeScore[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = maxNodeScore;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((maxNodeScore * s.score) / max);
    if (reverse) v = maxNodeScore - v;
    s.score = v;
  }
}
