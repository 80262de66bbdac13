import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { admissionForbidden, isResource, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

const priorityClasses = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

/** systemPriorityClasses are the classes every cluster has (upstream creates them at API server start). */
export const systemPriorityClasses: readonly PriorityClass[] = [
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2000001000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' }, value: 2000000000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/**
 * Priority resolves a new pod's priorityClassName to spec.priority and spec.preemptionPolicy (the global default
 * class when it names none, else priority 0), refuses unknown classes and hand-set priorities that disagree, and
 * allows only one globalDefault PriorityClass (upstream's Priority plugin).
 */
export class Priority implements AdmissionPlugin {
  readonly name = 'Priority';
  readonly #objects: AdmissionObjects;

  constructor(objects: AdmissionObjects) {
    this.#objects = objects;
  }

  /** #globalDefault is the globalDefault class with the highest value, if any. */
  #globalDefault(): PriorityClass | undefined {
    let best: PriorityClass | undefined;
    for (const o of this.#objects.list(priorityClasses, '')) {
      const pc = o as unknown as PriorityClass;
      if (pc.globalDefault && (!best || pc.value > best.value)) best = pc;
    }
    return best;
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (!isResource(a, '', 'pods') || a.subresource !== '' || !a.object) return;
    const spec = ((a.object as Pod).spec ??= { containers: [] });
    if (a.operation === 'UPDATE') {
      // Priority is fixed at creation; an update that omits it keeps the stored one (validation refuses changes).
      const old = (a.oldObject as Pod | null)?.spec;
      if ((spec.priority === undefined || spec.priority === null) && old?.priority !== undefined) spec.priority = old.priority;
      if (!spec.preemptionPolicy && old?.preemptionPolicy) spec.preemptionPolicy = old.preemptionPolicy;
      return;
    }
    if (a.operation !== 'CREATE') return;
    let priority = 0;
    let policy: string | undefined = 'PreemptLowerPriority';
    if (!spec.priorityClassName) {
      const def = this.#globalDefault();
      if (def) {
        spec.priorityClassName = def.metadata?.name ?? '';
        priority = def.value;
        policy = def.preemptionPolicy;
      }
    } else {
      const pc = (await this.#objects.get(priorityClasses, '', spec.priorityClassName)) as unknown as PriorityClass | null;
      if (!pc) throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
      priority = pc.value;
      policy = pc.preemptionPolicy;
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
      throw admissionForbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
    }
    spec.priority = priority;
    if (policy) {
      if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
        throw admissionForbidden(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
      }
      spec.preemptionPolicy = policy;
    }
  }

  validate(a: AdmissionAttributes): void {
    if (!isResource(a, 'scheduling.k8s.io', 'priorityclasses') || a.subresource !== '' || !a.object) return;
    if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
    if (!(a.object as unknown as PriorityClass).globalDefault) return;
    const def = this.#globalDefault();
    if (def && (a.operation === 'CREATE' || def.metadata?.name !== a.name)) {
      throw admissionForbidden(a, `PriorityClass ${def.metadata?.name ?? ''} is already marked as default. Only one default can exist`);
    }
  }
}
