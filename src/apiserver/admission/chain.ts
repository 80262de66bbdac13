import type { Admission } from '../registry/store.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/**
 * AdmissionChain runs admission plugins in order, as upstream's chainAdmissionHandler: every mutating plugin's
 * admit before validation, then every validating plugin's validate after it; the first refusal wins.
 */
export class AdmissionChain implements Admission {
  readonly plugins: readonly AdmissionPlugin[];

  constructor(plugins: readonly AdmissionPlugin[]) {
    const seen = new Set<string>();
    for (const p of plugins) {
      if (seen.has(p.name)) throw new Error(`duplicate admission plugin ${p.name}`);
      seen.add(p.name);
    }
    this.plugins = plugins;
  }

  // Plugins that decide synchronously (most, for most writes) are not awaited: an await of their undefined still
  // suspended the chain for a microtask each, ten or so per pod create.

  /** admit runs the mutating phase. */
  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) {
      const r = p.admit?.(a);
      if (r) await r;
    }
  }

  /** validate runs the validating phase. */
  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) {
      const r = p.validate?.(a);
      if (r) await r;
    }
  }
}
