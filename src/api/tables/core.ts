import type {
  ConfigMap,
  Endpoints,
  LoadBalancerStatus,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import { formatLabels } from '../selectors/index.ts';
import { age, ageColumn, column, joinHostPort, nameColumn, nameOf, sortedUnique } from './format.ts';
import type { TableConvertor } from './types.ts';

// Tables of core/v1 kinds, following upstream's printService, printNode, printEndpoints,
// printPersistentVolume(Claim), printResourceQuota and friends. The server prints "wide", so load
// balancer addresses are never clipped.

/** loadBalancerAddresses joins the distinct ingress IPs (else hostnames) of a load balancer status, sorted. */
export function loadBalancerAddresses(lb: LoadBalancerStatus | undefined): string {
  return sortedUnique((lb?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((a) => a !== '')).join(',');
}

function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** servicePorts renders PORT(S): "80/TCP", "80:30080/TCP" with a node port, comma separated. */
export function servicePorts(svc: Service): string {
  // The API defaults protocol to TCP, so an unset one is TCP.
  const text = (svc.spec?.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
  return text || '<none>';
}

/** serviceTable prints NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR. */
export const serviceTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Type', 'string', 'How the service is exposed.'),
    column('Cluster-IP', 'string', 'Virtual IP of the service inside the cluster.'),
    column('External-IP', 'string', 'Addresses the service is reachable on from outside.'),
    column('Port(s)', 'string', 'Service ports, with node ports.'),
    ageColumn,
    column('Selector', 'string', 'Labels of the pods the service routes to.', { priority: 1 }),
  ],
  row(obj, now) {
    const svc = obj as Service;
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP ?? '<none>';
    return [nameOf(svc), svc.spec?.type ?? '', clusterIP || '<none>', serviceExternalIP(svc), servicePorts(svc), age(svc, now), formatLabels(svc.spec?.selector)];
  },
};

/** namespaceTable prints NAME STATUS AGE. */
export const namespaceTable: TableConvertor = {
  columns: [nameColumn, column('Status', 'string', 'Phase of the namespace.'), ageColumn],
  row: (obj, now) => [nameOf(obj), (obj as Namespace).status?.phase ?? '', age(obj, now)],
};

/** nodeRoles returns the roles of a node from node-role.kubernetes.io/<role> and kubernetes.io/role labels, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.push(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.push(v);
    }
  }
  return sortedUnique(roles);
}

/** nodeStatus is the STATUS cell: Ready / NotReady / Unknown, then SchedulingDisabled when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.filter((c) => c.type === 'Ready').at(-1);
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

/** nodeTable prints NAME STATUS ROLES AGE VERSION | INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME. */
export const nodeTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Readiness of the node, and whether it is cordoned.'),
    column('Roles', 'string', 'Roles from node-role.kubernetes.io labels.'),
    ageColumn,
    column('Version', 'string', 'Kubelet version.'),
    column('Internal-IP', 'string', 'First internal address.', { priority: 1 }),
    column('External-IP', 'string', 'First external address.', { priority: 1 }),
    column('OS-Image', 'string', 'Operating system image.', { priority: 1 }),
    column('Kernel-Version', 'string', 'Kernel version.', { priority: 1 }),
    column('Container-Runtime', 'string', 'Container runtime and version.', { priority: 1 }),
  ],
  row(obj, now) {
    const node = obj as Node;
    const info = node.status?.nodeInfo;
    return [
      nameOf(node),
      nodeStatus(node),
      nodeRoles(node).join(',') || '<none>',
      age(node, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** configMapTable prints NAME DATA AGE; DATA counts data and binaryData keys. */
export const configMapTable: TableConvertor = {
  columns: [nameColumn, column('Data', 'string', 'Number of keys.'), ageColumn],
  row(obj, now) {
    const cm = obj as ConfigMap;
    return [nameOf(cm), Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)];
  },
};

/** secretTable prints NAME TYPE DATA AGE. */
export const secretTable: TableConvertor = {
  columns: [nameColumn, column('Type', 'string', 'Type of the secret.'), column('Data', 'string', 'Number of keys.'), ageColumn],
  row: (obj, now) => [nameOf(obj), (obj as Secret).type ?? '', Object.keys((obj as Secret).data ?? {}).length, age(obj, now)],
};

/** serviceAccountTable prints NAME SECRETS AGE. */
export const serviceAccountTable: TableConvertor = {
  columns: [nameColumn, column('Secrets', 'string', 'Number of referenced secrets.'), ageColumn],
  row: (obj, now) => [nameOf(obj), (obj as ServiceAccount).secrets?.length ?? 0, age(obj, now)],
};

/** formatEndpoints lists up to three ip:port endpoints, then "+ N more...", or "<none>". */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    // Headless services may have no ports: list bare IPs.
    const ports = ss.ports && ss.ports.length > 0 ? ss.ports.map((p) => p.port) : [undefined];
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(port === undefined ? a.ip : joinHostPort(a.ip, port));
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

/** endpointsTable prints NAME ENDPOINTS AGE. */
export const endpointsTable: TableConvertor = {
  columns: [nameColumn, column('Endpoints', 'string', 'Addresses and ports of the endpoints.'), ageColumn],
  row: (obj, now) => [nameOf(obj), formatEndpoints(obj as Endpoints), age(obj, now)],
};

/** accessModes abbreviates access modes in upstream's fixed order: RWO, ROX, RWX, RWOP. */
export function accessModes(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  const order: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return order
    .filter(([m]) => set.has(m))
    .map(([, short]) => short)
    .join(',');
}

// The beta annotation still wins over spec.storageClassName, as upstream's helpers read it first.
const storageClassAnnotation = 'volume.beta.kubernetes.io/storage-class';

/** persistentVolumeTable prints NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE | VOLUMEMODE. */
export const persistentVolumeTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Capacity', 'string', 'Storage capacity.'),
    column('Access Modes', 'string', 'Access modes.'),
    column('Reclaim Policy', 'string', 'What happens to the volume when released.'),
    column('Status', 'string', 'Phase of the volume.'),
    column('Claim', 'string', 'Claim bound to the volume.'),
    column('StorageClass', 'string', 'Storage class of the volume.'),
    column('VolumeAttributesClass', 'string', 'Volume attributes class of the volume.'),
    column('Reason', 'string', 'Reason for a failed phase.'),
    ageColumn,
    column('VolumeMode', 'string', 'Filesystem or Block.', { priority: 1 }),
  ],
  row(obj, now) {
    const pv = obj as PersistentVolume;
    const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ''}/${pv.spec.claimRef.name ?? ''}` : '';
    const phase = pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    const storageClass = pv.metadata?.annotations?.[storageClassAnnotation] ?? pv.spec?.storageClassName ?? '';
    return [
      nameOf(pv),
      pv.spec?.capacity?.['storage'] ?? '0',
      accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      phase,
      claim,
      storageClass,
      pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      age(pv, now),
      pv.spec?.volumeMode ?? '<unset>',
    ];
  },
};

/** persistentVolumeClaimTable prints NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE | VOLUMEMODE. */
export const persistentVolumeClaimTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Status', 'string', 'Phase of the claim.'),
    column('Volume', 'string', 'Volume bound to the claim.'),
    column('Capacity', 'string', 'Capacity of the bound volume.'),
    column('Access Modes', 'string', 'Access modes of the bound volume.'),
    column('StorageClass', 'string', 'Storage class requested.'),
    column('VolumeAttributesClass', 'string', 'Volume attributes class requested.'),
    ageColumn,
    column('VolumeMode', 'string', 'Filesystem or Block.', { priority: 1 }),
  ],
  row(obj, now) {
    const pvc = obj as PersistentVolumeClaim;
    const bound = Boolean(pvc.spec?.volumeName);
    const phase = pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    const storageClass = pvc.metadata?.annotations?.[storageClassAnnotation] ?? pvc.spec?.storageClassName ?? '';
    return [
      nameOf(pvc),
      phase,
      pvc.spec?.volumeName ?? '',
      bound ? (pvc.status?.capacity?.['storage'] ?? '0') : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClass,
      pvc.spec?.volumeAttributesClassName ?? '<unset>',
      age(pvc, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
};

/** resourceQuotaTable prints NAME REQUEST LIMIT AGE, each "resource: used/hard", limits.* going to LIMIT. */
export const resourceQuotaTable: TableConvertor = {
  columns: [nameColumn, column('Request', 'string', 'Used and hard amounts of requests and object counts.'), column('Limit', 'string', 'Used and hard amounts of limits.'), ageColumn],
  row(obj, now) {
    const rq = obj as ResourceQuota;
    const hard = rq.status?.hard ?? {};
    const used = rq.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of sortedUnique(Object.keys(hard))) {
      const pieces = resource.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
      target.push(`${resource}: ${used[resource] ?? '0'}/${hard[resource] ?? '0'}`);
    }
    return [nameOf(rq), requests.join(', '), limits.join(', '), age(rq, now)];
  },
};
