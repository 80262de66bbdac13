import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { podQosClass } from '../../api/core/qos.ts';
import { milliValue, parseQuantity, value, type Quantity } from '../../api/validation/quantity.ts';
import type { CriInput, LinuxContainerResources } from '../cri/types.ts';

// Container requests and limits as cgroup settings, with upstream's conversions (pkg/kubelet/cm/helper_linux.go
// and kuberuntime_container_linux.go): shares from the cpu request, CFS quota from the cpu limit, the memory
// limit in bytes, and an OOM score by QoS class.

const minShares = 2;
const maxShares = 262144;
const sharesPerCpu = 1024;
/** cfsPeriodUs is the CFS period the quota is measured against (100 ms). */
export const cfsPeriodUs = 100_000;
const minQuotaUs = 1000;

function quantity(raw: string | number | undefined): Quantity | undefined {
  if (raw === undefined) return undefined;
  const r = parseQuantity(raw);
  return r.ok ? r.quantity : undefined;
}

/** milliCpuToShares turns a cpu request in millicores into cgroup cpu.shares (2 when there is none). */
export function milliCpuToShares(milli: number): number {
  if (milli === 0) return minShares;
  return Math.min(maxShares, Math.max(minShares, Math.floor((milli * sharesPerCpu) / 1000)));
}

/** milliCpuToQuota turns a cpu limit into a CFS quota per 100 ms period (0: no limit). */
export function milliCpuToQuota(milli: number): number {
  if (milli === 0) return 0;
  return Math.max(minQuotaUs, Math.floor((milli * cfsPeriodUs) / 1000));
}

/** oomScoreAdjust is the kubelet's OOM score by QoS: Guaranteed -997, BestEffort 1000, Burstable by memory request. */
export function oomScoreAdjust(pod: Pod, c: Container, memoryCapacityBytes: number): number {
  const qos = podQosClass(pod);
  if (qos === 'Guaranteed') return -997;
  if (qos === 'BestEffort') return 1000;
  const request = quantity(c.resources?.requests?.memory);
  const bytes = request ? value(request) : 0;
  const adj = memoryCapacityBytes > 0 ? 1000 - Math.floor((1000 * bytes) / memoryCapacityBytes) : 999;
  return Math.min(999, Math.max(2, adj));
}

/** containerResources builds the CRI Linux resources of one container. */
export function containerResources(pod: Pod, c: Container, memoryCapacityBytes: number): CriInput<LinuxContainerResources> {
  const cpuRequest = quantity(c.resources?.requests?.cpu) ?? quantity(c.resources?.limits?.cpu);
  const cpuLimit = quantity(c.resources?.limits?.cpu);
  const memLimit = quantity(c.resources?.limits?.memory);
  const quota = cpuLimit ? milliCpuToQuota(milliValue(cpuLimit)) : 0;
  return {
    cpuShares: String(milliCpuToShares(cpuRequest ? milliValue(cpuRequest) : 0)),
    ...(quota > 0 ? { cpuPeriod: String(cfsPeriodUs), cpuQuota: String(quota) } : {}),
    ...(memLimit ? { memoryLimitInBytes: String(value(memLimit)) } : {}),
    oomScoreAdj: String(oomScoreAdjust(pod, c, memoryCapacityBytes)),
  };
}
