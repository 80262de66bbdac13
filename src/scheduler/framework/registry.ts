import type { EventRegistration } from './events.ts';
import type { Plugin, PluginFactory, PluginHandle } from './interface.ts';

// The plugin registry (name → factory, upstream's runtime.Registry) and a Framework: one profile's plugins sorted by
// extension point, with score weights and the round-robin position for node sampling.

/** Registry maps plugin names to factories; registering a name twice throws at startup. */
export class Registry {
  readonly #factories = new Map<string, PluginFactory>();

  /** register adds a factory; a duplicate name is a programming error and throws. */
  register(name: string, factory: PluginFactory): this {
    if (this.#factories.has(name)) throw new Error(`a plugin named ${JSON.stringify(name)} already exists`);
    this.#factories.set(name, factory);
    return this;
  }

  /** factory returns the factory registered under a name. */
  factory(name: string): PluginFactory | undefined {
    return this.#factories.get(name);
  }

  /** names lists registered plugin names in registration order. */
  names(): string[] {
    return [...this.#factories.keys()];
  }
}

/** ProfileEntry enables one plugin in a profile; weight applies to its score (0 or unset means 1, as upstream). */
export interface ProfileEntry {
  readonly name: string;
  readonly weight?: number;
}

/** FrameworkOptions tune a profile; percentageOfNodesToScore 0 (the default) means upstream's adaptive percentage. */
export interface FrameworkOptions {
  readonly percentageOfNodesToScore?: number;
}

/** WeightedPlugin is a score plugin with its weight. */
export interface WeightedPlugin {
  readonly plugin: Plugin;
  readonly weight: number;
}

/** Framework holds one profile's plugins by extension point, in profile order. */
export class Framework {
  readonly plugins: readonly Plugin[];
  readonly preFilterPlugins: readonly Plugin[];
  readonly filterPlugins: readonly Plugin[];
  readonly preScorePlugins: readonly Plugin[];
  readonly scorePlugins: readonly WeightedPlugin[];
  readonly percentageOfNodesToScore: number;
  /** nextStartNodeIndex is where the next cycle starts looking, so every node gets its turn across cycles. */
  nextStartNodeIndex = 0;

  constructor(entries: readonly { readonly plugin: Plugin; readonly weight?: number }[], opts: FrameworkOptions = {}) {
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.plugin.name)) throw new Error(`plugin ${JSON.stringify(e.plugin.name)} is enabled twice`);
      seen.add(e.plugin.name);
    }
    this.plugins = entries.map((e) => e.plugin);
    this.preFilterPlugins = this.plugins.filter((p) => p.preFilter !== undefined);
    this.filterPlugins = this.plugins.filter((p) => p.filter !== undefined);
    this.preScorePlugins = this.plugins.filter((p) => p.preScore !== undefined);
    this.scorePlugins = entries
      .filter((e) => e.plugin.score !== undefined)
      .map((e) => ({ plugin: e.plugin, weight: e.weight === undefined || e.weight === 0 ? 1 : e.weight }));
    const pct = opts.percentageOfNodesToScore ?? 0;
    if (pct < 0 || pct > 100) throw new Error(`percentageOfNodesToScore must be in [0, 100], got ${pct}`);
    this.percentageOfNodesToScore = pct;
  }

  /** plugin returns an enabled plugin by name. */
  plugin(name: string): Plugin | undefined {
    return this.plugins.find((p) => p.name === name);
  }

  /** eventRegistrations maps each plugin to the cluster events it registered, for the scheduling queue. */
  eventRegistrations(): Map<string, readonly EventRegistration[]> {
    const m = new Map<string, readonly EventRegistration[]>();
    for (const p of this.plugins) if (p.events) m.set(p.name, p.events);
    return m;
  }
}

/** buildFramework instantiates a profile's plugins from a registry; an unknown name throws. */
export function buildFramework(registry: Registry, profile: readonly ProfileEntry[], handle: PluginHandle, opts: FrameworkOptions = {}): Framework {
  const entries = profile.map((e) => {
    const factory = registry.factory(e.name);
    if (!factory) throw new Error(`plugin ${JSON.stringify(e.name)} is not registered`);
    const plugin = factory(handle);
    if (plugin.name !== e.name) throw new Error(`factory for ${JSON.stringify(e.name)} built a plugin named ${JSON.stringify(plugin.name)}`);
    return e.weight === undefined ? { plugin } : { plugin, weight: e.weight };
  });
  return new Framework(entries, opts);
}
