import type { Pod } from 'kubernetes-types/core/v1.js';
import { maxNodeScore, type CycleState, type NodeScore, type Plugin } from './interface.ts';
import type { NodeInfo } from './node-info.ts';
import type { Nominator } from './nominator.ts';
import type { PodInfo } from './pod-info.ts';
import type { Framework } from './registry.ts';
import { errorStatus, isRejected, isSuccess, statusMessage, success, unresolvable, withPlugin, type Status } from './status.ts';

// Running the plugins of each extension point, with upstream's rules for Skip, early exit and error wrapping.

/** PreFilterOutcome is the merged PreFilter result: a status, the node names it narrowed to (if any) and the rejecting plugins. */
export interface PreFilterOutcome {
  readonly status: Status;
  readonly nodeNames?: ReadonlySet<string>;
  readonly pluginsWithNodes: readonly string[];
  readonly rejectedPlugins: readonly string[];
}

/** runPreFilterPlugins runs every PreFilter; Unschedulable keeps going (preemption needs all state), Unresolvable stops. */
export function runPreFilterPlugins(fw: Framework, state: CycleState, pod: Pod): PreFilterOutcome {
  let nodeNames: Set<string> | undefined;
  const pluginsWithNodes: string[] = [];
  const rejectedPlugins: string[] = [];
  let status: Status = success();
  for (const pl of fw.preFilterPlugins) {
    if (!pl.preFilter) continue;
    const r = pl.preFilter(state, pod);
    if (r.code === 'Skip') {
      state.skipFilterPlugins.add(pl.name);
      continue;
    }
    if (r.code === 'UnschedulableAndUnresolvable') return { status: withPlugin(r, pl.name), pluginsWithNodes, rejectedPlugins: [pl.name] };
    if (r.code === 'Unschedulable') {
      status = withPlugin(r, pl.name);
      rejectedPlugins.push(pl.name);
      continue;
    }
    if (r.code !== 'Success') return { status: withPlugin(errorStatus(`running PreFilter plugin "${pl.name}": ${statusMessage(r)}`), pl.name), pluginsWithNodes, rejectedPlugins };
    if ('nodeNames' in r) {
      pluginsWithNodes.push(pl.name);
      nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => r.nodeNames.has(n))) : new Set(r.nodeNames);
      if (nodeNames.size === 0) {
        const names = [...pluginsWithNodes].sort();
        const msg = names.length === 1 ? `node(s) didn't satisfy plugin ${names[0] ?? ''}` : `node(s) didn't satisfy plugin(s) [${names.join(' ')}] simultaneously`;
        return { status: unresolvable(msg), nodeNames, pluginsWithNodes, rejectedPlugins: names };
      }
    }
  }
  return nodeNames ? { status, nodeNames, pluginsWithNodes, rejectedPlugins } : { status, pluginsWithNodes, rejectedPlugins };
}

/** activeFilterPlugins returns the filter plugins not skipped by their PreFilter this cycle (computed once per cycle). */
export function activeFilterPlugins(fw: Framework, state: CycleState): readonly Plugin[] {
  if (state.skipFilterPlugins.size === 0) return fw.filterPlugins;
  return fw.filterPlugins.filter((p) => !state.skipFilterPlugins.has(p.name));
}

/** runFilterPlugins runs filters in order and returns the first rejection, tagged with its plugin. */
export function runFilterPlugins(plugins: readonly Plugin[], state: CycleState, pod: Pod, nodeInfo: NodeInfo): Status {
  for (let i = 0; i < plugins.length; i++) {
    const pl = plugins[i];
    if (!pl?.filter) continue;
    const s = pl.filter(state, pod, nodeInfo);
    if (s.code === 'Success') continue;
    if (isRejected(s)) return withPlugin(s, pl.name);
    return withPlugin(errorStatus(`running "${pl.name}" filter plugin: ${statusMessage(s)}`), pl.name);
  }
  return success();
}

/** runPreFilterExtensionAddPod tells every PreFilter state that a pod was added to a node in a what-if. */
export function runPreFilterExtensionAddPod(fw: Framework, state: CycleState, podToSchedule: Pod, pi: PodInfo, nodeInfo: NodeInfo): Status {
  for (const pl of fw.preFilterPlugins) {
    if (!pl.preFilterExtensions || state.skipFilterPlugins.has(pl.name)) continue;
    const s = pl.preFilterExtensions.addPod(state, podToSchedule, pi, nodeInfo);
    if (!isSuccess(s)) return withPlugin(errorStatus(`running AddPod on PreFilter plugin "${pl.name}": ${statusMessage(s)}`), pl.name);
  }
  return success();
}

/** runPreFilterExtensionRemovePod tells every PreFilter state that a pod was removed from a node in a what-if. */
export function runPreFilterExtensionRemovePod(fw: Framework, state: CycleState, podToSchedule: Pod, pi: PodInfo, nodeInfo: NodeInfo): Status {
  for (const pl of fw.preFilterPlugins) {
    if (!pl.preFilterExtensions || state.skipFilterPlugins.has(pl.name)) continue;
    const s = pl.preFilterExtensions.removePod(state, podToSchedule, pi, nodeInfo);
    if (!isSuccess(s)) return withPlugin(errorStatus(`running RemovePod on PreFilter plugin "${pl.name}": ${statusMessage(s)}`), pl.name);
  }
  return success();
}

/**
 * runFilterPluginsWithNominatedPods runs the filters twice when higher-or-equal priority pods are nominated to the
 * node: once as if they were already there (they must keep their room) and once without them (inter-pod affinity to
 * them must not be what makes the pod fit), as upstream does.
 */
export function runFilterPluginsWithNominatedPods(
  fw: Framework,
  plugins: readonly Plugin[],
  state: CycleState,
  pod: Pod,
  nodeInfo: NodeInfo,
  nominator: Nominator | undefined,
): Status {
  const nominated = nominator?.nominatedPodsForNode(nodeInfo.name) ?? [];
  if (nominated.length === 0) return runFilterPlugins(plugins, state, pod, nodeInfo);
  const me = state.podInfo;
  const relevant = nominated.filter((pi) => pi.key !== me.key && pi.priority >= me.priority);
  if (relevant.length === 0) return runFilterPlugins(plugins, state, pod, nodeInfo);
  const withState = state.clone();
  const withNode = nodeInfo.clone();
  for (const pi of relevant) {
    withNode.addPod(pi);
    const s = runPreFilterExtensionAddPod(fw, withState, pod, pi, withNode);
    if (!isSuccess(s)) return s;
  }
  const first = runFilterPlugins(plugins, withState, pod, withNode);
  if (!isSuccess(first)) return first;
  return runFilterPlugins(plugins, state, pod, nodeInfo);
}

/** runPreScorePlugins runs PreScore; Skip disables a plugin's Score for the cycle, anything else but Success is an error. */
export function runPreScorePlugins(fw: Framework, state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): Status {
  for (const pl of fw.preScorePlugins) {
    if (!pl.preScore) continue;
    const s = pl.preScore(state, pod, nodes);
    if (s.code === 'Skip') state.skipScorePlugins.add(pl.name);
    else if (s.code !== 'Success') return withPlugin(errorStatus(`running PreScore plugin "${pl.name}": ${statusMessage(s)}`), pl.name);
  }
  return success();
}

/** PluginScore is one plugin's weighted contribution to a node's total. */
export interface PluginScore {
  readonly plugin: string;
  readonly score: number;
}

/** NodePluginScores is a node's total weighted score and its breakdown by plugin. */
export interface NodePluginScores {
  readonly name: string;
  readonly totalScore: number;
  readonly scores: readonly PluginScore[];
}

// LazyNodeScores builds the per-plugin breakdown only when read: a cycle scores hundreds of nodes and only the
// winner's breakdown is usually looked at, so this saves thousands of small allocations per pod.
class LazyNodeScores implements NodePluginScores {
  readonly name: string;
  readonly totalScore: number;
  readonly #index: number;
  readonly #names: readonly string[];
  readonly #weights: readonly number[];
  readonly #perPlugin: readonly (readonly number[])[];

  constructor(name: string, totalScore: number, index: number, names: readonly string[], weights: readonly number[], perPlugin: readonly (readonly number[])[]) {
    this.name = name;
    this.totalScore = totalScore;
    this.#index = index;
    this.#names = names;
    this.#weights = weights;
    this.#perPlugin = perPlugin;
  }

  get scores(): readonly PluginScore[] {
    return this.#names.map((plugin, j) => ({ plugin, score: (this.#perPlugin[j]?.[this.#index] ?? 0) * (this.#weights[j] ?? 1) }));
  }

  toJSON(): { name: string; totalScore: number; scores: readonly PluginScore[] } {
    return { name: this.name, totalScore: this.totalScore, scores: this.scores };
  }
}

/** runScorePlugins scores every node with every active plugin, normalizes, checks the 0..100 range and applies weights. */
export function runScorePlugins(fw: Framework, state: CycleState, pod: Pod, nodes: readonly NodeInfo[]): NodePluginScores[] | Status {
  const active = fw.scorePlugins.filter((w) => !state.skipScorePlugins.has(w.plugin.name));
  // Raw scores go into an array of numbers; only plugins that normalize get the NodeScore objects they rewrite.
  const perPlugin: number[][] = [];
  for (const { plugin } of active) {
    const scores: number[] = [];
    const score = plugin.score;
    for (let i = 0; i < nodes.length; i++) scores.push(score ? score.call(plugin, state, pod, nodes[i] as NodeInfo) : 0);
    if (plugin.normalizeScore) {
      const list: NodeScore[] = new Array<NodeScore>(nodes.length);
      for (let i = 0; i < nodes.length; i++) list[i] = { name: (nodes[i] as NodeInfo).name, score: scores[i] as number };
      const s = plugin.normalizeScore(state, pod, list);
      if (!isSuccess(s)) return withPlugin(errorStatus(`running Normalize on Score plugin "${plugin.name}": ${statusMessage(s)}`), plugin.name);
      for (let i = 0; i < nodes.length; i++) scores[i] = (list[i] as NodeScore).score;
    }
    for (let i = 0; i < scores.length; i++) {
      const v = scores[i] as number;
      if (!(v >= 0 && v <= maxNodeScore)) {
        return withPlugin(errorStatus(`plugin "${plugin.name}" returns an invalid score ${v}, it should in the range of [0, ${maxNodeScore}] after normalizing`), plugin.name);
      }
    }
    perPlugin.push(scores);
  }
  const names = active.map((w) => w.plugin.name);
  const weights = active.map((w) => w.weight);
  const out: NodePluginScores[] = new Array<NodePluginScores>(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    let total = 0;
    for (let j = 0; j < perPlugin.length; j++) total += ((perPlugin[j] as number[])[i] as number) * (weights[j] ?? 1);
    out[i] = new LazyNodeScores((nodes[i] as NodeInfo).name, total, i, names, weights, perPlugin);
  }
  return out;
}
