import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { deepFreeze } from '../../api/freeze.ts';
import { isResource, type AdmissionAttributes, type AdmissionPlugin } from './types.ts';

const notReady = 'node.kubernetes.io/not-ready';
const unreachable = 'node.kubernetes.io/unreachable';

/** DefaultTolerationSecondsOptions are the plugin's flags (upstream --default-not-ready-toleration-seconds and friends). */
export interface DefaultTolerationSecondsOptions {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

/** tolerates is upstream's check: a NoExecute (or any-effect) toleration for the key, or for every key. */
function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

/**
 * DefaultTolerationSeconds gives every pod NoExecute tolerations of the not-ready and unreachable node taints for a
 * bounded time (300 s), unless it tolerates them already, so pods leave a failed node after that long.
 */
export class DefaultTolerationSeconds implements AdmissionPlugin {
  readonly name = 'DefaultTolerationSeconds';
  // Every pod gets the same two tolerations, so they are built once and shared, frozen (api/freeze.ts).
  readonly #notReady: Toleration;
  readonly #unreachable: Toleration;

  constructor(opts: DefaultTolerationSecondsOptions = {}) {
    this.#notReady = deepFreeze({ key: notReady, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: opts.notReadySeconds ?? 300 });
    this.#unreachable = deepFreeze({ key: unreachable, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: opts.unreachableSeconds ?? 300 });
  }

  admit(a: AdmissionAttributes): void {
    if (!isResource(a, '', 'pods') || a.subresource !== '' || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
    const spec = ((a.object as Pod).spec ??= { containers: [] });
    const tolerations = [...(spec.tolerations ?? [])];
    if (!tolerates(tolerations, notReady)) tolerations.push(this.#notReady);
    if (!tolerates(tolerations, unreachable)) tolerations.push(this.#unreachable);
    spec.tolerations = tolerations;
  }
}
