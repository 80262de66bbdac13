import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { formatLabelSelector } from '../selectors/index.ts';
import { age, ageColumn, column, humanDuration, intOrString, listWithMore, nameColumn, nameOf } from './format.ts';
import { loadBalancerAddresses } from './core.ts';
import type { TableConvertor } from './types.ts';

// Tables of networking, discovery, coordination, policy, scheduling, storage, RBAC and certificates
// kinds, following the matching upstream print functions.

function ingressHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

/** ingressTable prints NAME CLASS HOSTS ADDRESS PORTS AGE. */
export const ingressTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Class', 'string', 'IngressClass that handles this ingress.'),
    column('Hosts', 'string', 'Hosts the rules match.'),
    column('Address', 'string', 'Addresses of the load balancer.'),
    column('Ports', 'string', 'Ports served (443 when TLS is configured).'),
    ageColumn,
  ],
  row(obj, now) {
    const ing = obj as Ingress;
    return [nameOf(ing), ing.spec?.ingressClassName ?? '<none>', ingressHosts(ing), loadBalancerAddresses(ing.status?.loadBalancer), (ing.spec?.tls?.length ?? 0) > 0 ? '80, 443' : '80', age(ing, now)];
  },
};

/** ingressClassTable prints NAME CONTROLLER PARAMETERS AGE. */
export const ingressClassTable: TableConvertor = {
  columns: [nameColumn, column('Controller', 'string', 'Controller that implements the class.'), column('Parameters', 'string', 'Resource holding extra parameters.'), ageColumn],
  row(obj, now) {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [nameOf(ic), ic.spec?.controller ?? '', parameters, age(ic, now)];
  },
};

/** networkPolicyTable prints NAME POD-SELECTOR AGE. */
export const networkPolicyTable: TableConvertor = {
  columns: [nameColumn, column('Pod-Selector', 'string', 'Pods the policy applies to.'), ageColumn],
  row: (obj, now) => [nameOf(obj), formatLabelSelector((obj as NetworkPolicy).spec?.podSelector ?? {}), age(obj, now)],
};

/** endpointSliceTable prints NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
export const endpointSliceTable: TableConvertor = {
  columns: [
    nameColumn,
    column('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    column('Ports', 'string', 'Ports of the endpoints.'),
    column('Endpoints', 'string', 'Addresses of the endpoints.'),
    ageColumn,
  ],
  row(obj, now) {
    const slice = obj as EndpointSlice;
    const max = 3;
    const ports = slice.ports ?? [];
    const portList = ports.slice(0, max).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*')));
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses);
    return [
      nameOf(slice),
      slice.addressType,
      listWithMore(portList, ports.length > max, ports.length, max),
      listWithMore(addresses.slice(0, max), addresses.length > max, addresses.length, max),
      age(slice, now),
    ];
  },
};

/** leaseTable prints NAME HOLDER AGE. */
export const leaseTable: TableConvertor = {
  columns: [nameColumn, column('Holder', 'string', 'Identity of the current holder.'), ageColumn],
  row: (obj, now) => [nameOf(obj), (obj as Lease).spec?.holderIdentity ?? '', age(obj, now)],
};

/** podDisruptionBudgetTable prints NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE. */
export const podDisruptionBudgetTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Min Available', 'string', 'Pods that must stay available.'),
    column('Max Unavailable', 'string', 'Pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Pods that may be disrupted now.'),
    ageColumn,
  ],
  row(obj, now) {
    const pdb = obj as PodDisruptionBudget;
    const min = pdb.spec?.minAvailable;
    const max = pdb.spec?.maxUnavailable;
    return [nameOf(pdb), min === undefined ? 'N/A' : intOrString(min), max === undefined ? 'N/A' : intOrString(max), pdb.status?.disruptionsAllowed ?? 0, age(pdb, now)];
  },
};

/** priorityClassTable prints NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY. */
export const priorityClassTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Value', 'integer', 'Priority of pods using the class.'),
    column('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    ageColumn,
    column('PreemptionPolicy', 'string', 'Whether pods of this class may preempt others.'),
  ],
  row(obj, now) {
    const pc = obj as PriorityClass;
    return [nameOf(pc), pc.value, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''];
  },
};

function isDefaultStorageClass(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

/** storageClassTable prints NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE; the default class is marked "(default)". */
export const storageClassTable: TableConvertor = {
  columns: [
    nameColumn,
    column('Provisioner', 'string', 'Volume plugin that provisions volumes.'),
    column('ReclaimPolicy', 'string', 'Reclaim policy of provisioned volumes.'),
    column('VolumeBindingMode', 'string', 'When volumes are bound.'),
    column('AllowVolumeExpansion', 'string', 'Whether volumes may grow.'),
    ageColumn,
  ],
  row(obj, now) {
    const sc = obj as StorageClass;
    const name = isDefaultStorageClass(sc) ? `${nameOf(sc)} (default)` : nameOf(sc);
    return [name, sc.provisioner, sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', sc.allowVolumeExpansion ?? false, age(sc, now)];
  },
};

function subjectColumns(subjects: readonly Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingTable(what: string): TableConvertor {
  return {
    columns: [
      nameColumn,
      column('Role', 'string', 'Role the subjects are bound to.'),
      ageColumn,
      column('Users', 'string', `Users in the ${what}.`, { priority: 1 }),
      column('Groups', 'string', `Groups in the ${what}.`, { priority: 1 }),
      column('ServiceAccounts', 'string', `Service accounts in the ${what}.`, { priority: 1 }),
    ],
    row(obj, now) {
      const b = obj as RoleBinding | ClusterRoleBinding;
      return [nameOf(b), `${b.roleRef.kind}/${b.roleRef.name}`, age(b, now), ...subjectColumns(b.subjects)];
    },
  };
}

/** roleBindingTable prints NAME ROLE AGE | USERS GROUPS SERVICEACCOUNTS. */
export const roleBindingTable = bindingTable('roleBinding');
/** clusterRoleBindingTable prints NAME ROLE AGE | USERS GROUPS SERVICEACCOUNTS. */
export const clusterRoleBindingTable = bindingTable('clusterRoleBinding');

/** csrCondition is the CONDITION cell of a CSR: Denied, Approved or Pending, then ",Failed" and ",Issued". */
export function csrCondition(csr: CertificateSigningRequest): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (csr.status?.certificate) status += ',Issued';
  return status;
}

/** certificateSigningRequestTable prints NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION. */
export const certificateSigningRequestTable: TableConvertor = {
  columns: [
    nameColumn,
    ageColumn,
    column('SignerName', 'string', 'Signer asked to sign the request.'),
    column('Requestor', 'string', 'User who made the request.'),
    column('RequestedDuration', 'string', 'Requested validity of the certificate.'),
    column('Condition', 'string', 'Approval state of the request.'),
  ],
  row(obj, now) {
    const csr = obj as CertificateSigningRequest;
    const seconds = csr.spec?.expirationSeconds;
    const requested = seconds === undefined || seconds === null ? '<none>' : humanDuration(seconds * 1000);
    return [nameOf(csr), age(csr, now), csr.spec?.signerName || '<none>', csr.spec?.username ?? '', requested, csrCondition(csr)];
  },
};
