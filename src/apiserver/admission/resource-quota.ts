import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../../api/object.ts';
import { evaluatorFor } from '../../api/quota/evaluators.ts';
import { formatUsage } from '../../api/quota/resource-list.ts';
import type { Clock } from '../../clock.ts';
import { checkQuotaRequest, QuotaRefusal, type QuotaRequest } from './quota-check.ts';
import { admissionForbidden, type AdmissionAttributes, type AdmissionObjects, type AdmissionPlugin } from './types.ts';

const resourceQuotas = { group: '', resource: 'resourcequotas' };

/**
 * ResourceQuotaAdmission refuses writes that would take a namespace past one of its ResourceQuotas, and charges
 * the ones it admits to each quota's status.used with compare-and-swap before the write happens, so concurrent
 * creates cannot both take the last unit (upstream's ResourceQuota plugin). The resource quota controller later
 * recomputes usage from what is really stored, returning what deletes and refused writes left behind.
 */
export class ResourceQuotaAdmission implements AdmissionPlugin {
  readonly name = 'ResourceQuota';
  readonly #objects: AdmissionObjects;
  readonly #clock: Clock;

  constructor(objects: AdmissionObjects, clock: Clock) {
    this.#objects = objects;
    this.#clock = clock;
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (!a.object || a.operation === 'DELETE') return;
    const ev = evaluatorFor(a.def.info.group, a.def.info.resource);
    if (!ev || !ev.handles(a.operation, a.subresource)) return;
    const quotas = this.#objects.list(resourceQuotas, a.namespace) as unknown as ResourceQuota[];
    if (quotas.length === 0) return;
    const req: QuotaRequest = { operation: a.operation, subresource: a.subresource, object: a.object, oldObject: a.oldObject };
    const refuse = (err: unknown): never => {
      throw err instanceof QuotaRefusal ? admissionForbidden(a, err.message) : err;
    };
    let changes;
    try {
      changes = checkQuotaRequest(quotas, req, ev, this.#clock.now());
    } catch (err) {
      return refuse(err);
    }
    if (a.dryRun) return;
    for (const name of changes.keys()) {
      // Decide again against the stored quota, every time the write loses a race, so the charge is exact.
      await this.#objects.updateStatus(resourceQuotas, a.namespace, name, (current: ApiObject) => {
        const rq = current as unknown as ResourceQuota;
        let next;
        try {
          next = checkQuotaRequest([rq], req, ev, this.#clock.now()).get(name);
        } catch (err) {
          return refuse(err);
        }
        if (!next) return current;
        // No resourceVersion: the store re-reads and calls this again when another writer got there first.
        const { resourceVersion: _rv, ...metadata } = current.metadata ?? {};
        return { ...current, metadata, status: { ...(rq.status ?? {}), used: formatUsage(next) } } as ApiObject;
      });
    }
  }
}
