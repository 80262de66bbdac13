import { column, metaOf, nameColumn, nameOf, parseTime } from './format.ts';
import { podTable } from './pod.ts';
import {
  configMapTable,
  endpointsTable,
  namespaceTable,
  nodeTable,
  persistentVolumeClaimTable,
  persistentVolumeTable,
  resourceQuotaTable,
  secretTable,
  serviceAccountTable,
  serviceTable,
} from './core.ts';
import {
  controllerRevisionTable,
  cronJobTable,
  daemonSetTable,
  deploymentTable,
  jobTable,
  replicaSetTable,
  replicationControllerTable,
  statefulSetTable,
} from './workloads.ts';
import { eventTable } from './events.ts';
import {
  certificateSigningRequestTable,
  clusterRoleBindingTable,
  endpointSliceTable,
  ingressClassTable,
  ingressTable,
  leaseTable,
  networkPolicyTable,
  podDisruptionBudgetTable,
  priorityClassTable,
  roleBindingTable,
  storageClassTable,
} from './cluster.ts';
import { horizontalPodAutoscalerTable } from './hpa.ts';
import { nodeMetricsTable, podMetricsTable } from './metrics.ts';
import type { TableConvertor } from './types.ts';

/** defaultTable is upstream's default table convertor, used by kinds without a printer (Role, ClusterRole, LimitRange, CustomResourceDefinition, ...): NAME and CREATED AT. */
export const defaultTable: TableConvertor = {
  columns: [nameColumn, column('Created At', 'date', 'Time the object was created (metadata.creationTimestamp), in UTC.')],
  row(obj) {
    // Go formats its zero time too, so an unset timestamp prints as year 1.
    const ms = parseTime(metaOf(obj).creationTimestamp);
    return [nameOf(obj), ms === undefined ? '0001-01-01T00:00:00Z' : new Date(Math.trunc(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')];
  },
};

// Keyed by "group/Kind"; any version of the group prints the same way, as upstream prints the internal type.
const tables = new Map<string, TableConvertor>([
  ['/Pod', podTable],
  ['/Service', serviceTable],
  ['/Namespace', namespaceTable],
  ['/Node', nodeTable],
  ['/ConfigMap', configMapTable],
  ['/Secret', secretTable],
  ['/ServiceAccount', serviceAccountTable],
  ['/Endpoints', endpointsTable],
  ['/Event', eventTable],
  ['/PersistentVolume', persistentVolumeTable],
  ['/PersistentVolumeClaim', persistentVolumeClaimTable],
  ['/ResourceQuota', resourceQuotaTable],
  ['/ReplicationController', replicationControllerTable],
  ['apps/Deployment', deploymentTable],
  ['apps/ReplicaSet', replicaSetTable],
  ['apps/StatefulSet', statefulSetTable],
  ['apps/DaemonSet', daemonSetTable],
  ['apps/ControllerRevision', controllerRevisionTable],
  ['batch/Job', jobTable],
  ['batch/CronJob', cronJobTable],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerTable],
  ['networking.k8s.io/Ingress', ingressTable],
  ['networking.k8s.io/IngressClass', ingressClassTable],
  ['networking.k8s.io/NetworkPolicy', networkPolicyTable],
  ['discovery.k8s.io/EndpointSlice', endpointSliceTable],
  ['coordination.k8s.io/Lease', leaseTable],
  ['policy/PodDisruptionBudget', podDisruptionBudgetTable],
  ['scheduling.k8s.io/PriorityClass', priorityClassTable],
  ['storage.k8s.io/StorageClass', storageClassTable],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingTable],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingTable],
  ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequestTable],
  ['events.k8s.io/Event', eventTable],
  ['metrics.k8s.io/PodMetrics', podMetricsTable],
  ['metrics.k8s.io/NodeMetrics', nodeMetricsTable],
]);

/** tableFor returns the table convertor of a built-in kind, or defaultTable when upstream has no printer for it. */
export function tableFor(group: string, kind: string): TableConvertor {
  return tables.get(`${group}/${kind}`) ?? defaultTable;
}

/** hasTable tells whether a kind has its own printer (rather than the default NAME / CREATED AT). */
export function hasTable(group: string, kind: string): boolean {
  return tables.has(`${group}/${kind}`);
}
