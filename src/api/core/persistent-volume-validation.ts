import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, invalidEach, invalidValue, keyPath, notSupported, required } from '../validation/field.ts';
import { validateLabelSelector } from '../validation/label-selector.ts';
import { isDNS1123Subdomain } from '../validation/names.ts';
import { compareQuantity, formatQuantity } from '../validation/quantity.ts';
import { nameIsDNSSubdomain, validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { semanticEqual } from '../validation/equality.ts';
import { quantityAt, validateResourceQuantityValue } from './resources.ts';
import { specDiff } from './diff.ts';
import { validatePathNoBacksteps } from './paths.ts';

// PersistentVolume and PersistentVolumeClaim validation (the PV/PVC parts of core validation.go).

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const volumeModes = ['Block', 'Filesystem'];
const reclaimPolicies = ['Delete', 'Recycle', 'Retain'];

function validateAccessModes(modes: readonly string[] | undefined, path: string, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = modes ?? [];
  if (list.length === 0) errs.push(required(path, requiredDetail));
  let rwop = false;
  let other = false;
  for (const m of list) {
    if (!accessModes.includes(m)) errs.push(notSupported(path, m, accessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (accessModes.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateDataSource(ref: { apiGroup?: string; kind?: string; name?: string } | undefined, path: string): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  if (!ref.name) errs.push(required(childPath(path, 'name')));
  if (!ref.kind) errs.push(required(childPath(path, 'kind')));
  const group = ref.apiGroup ?? '';
  if (!group && ref.kind !== 'PersistentVolumeClaim') errs.push(invalidValue(path, ref.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) errs.push(...invalidEach(childPath(path, 'apiGroup'), group, isDNS1123Subdomain(group)));
  return errs;
}

/** validatePersistentVolumeClaimSpec is upstream's ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, childPath(path, 'accessModes'), 'at least 1 access mode is required');
  if (s.selector) errs.push(...validateLabelSelector(s.selector, childPath(path, 'selector')));
  const storagePath = keyPath(childPath(path, 'resources'), 'storage');
  const raw = s.resources?.requests?.storage;
  if (raw === undefined) {
    errs.push(required(storagePath));
  } else {
    const q = quantityAt(raw, storagePath, errs);
    if (q && q.nanos <= 0n) errs.push(invalidValue(storagePath, formatQuantity(q), 'must be greater than zero'));
    else if (q) errs.push(...validateResourceQuantityValue('storage', q, storagePath));
  }
  if (s.storageClassName) errs.push(...invalidEach(childPath(path, 'storageClassName'), s.storageClassName, nameIsDNSSubdomain(s.storageClassName, false)));
  if (s.volumeMode && !volumeModes.includes(s.volumeMode)) errs.push(notSupported(childPath(path, 'volumeMode'), s.volumeMode, volumeModes));
  errs.push(...validateDataSource(s.dataSource, childPath(path, 'dataSource')));
  errs.push(...validateDataSource(s.dataSourceRef, childPath(path, 'dataSourceRef')));
  return errs;
}

/** validatePersistentVolumeClaim validates a PVC on create. */
export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  return [
    ...validateObjectMeta(pvc.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }),
    ...validatePersistentVolumeClaimSpec(pvc.spec, 'spec'),
  ];
}

/** validatePersistentVolumeClaimUpdate: the spec is immutable except volumeName (once) and, for bound claims, the storage request. */
export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pvc.metadata, old.metadata), ...validatePersistentVolumeClaim(pvc)];
  const newSpec: PersistentVolumeClaimSpec = structuredClone(pvc.spec ?? {});
  const oldSpec: PersistentVolumeClaimSpec = structuredClone(old.spec ?? {});
  if (!oldSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
  // A claim created without a class may be given one later.
  if (oldSpec.storageClassName === undefined && newSpec.storageClassName !== undefined) oldSpec.storageClassName = newSpec.storageClassName;
  if (pvc.status?.phase === 'Bound') {
    if (newSpec.resources?.requests) newSpec.resources.requests.storage = old.spec?.resources?.requests?.storage as string;
    if (newSpec.volumeAttributesClassName !== undefined) newSpec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  }
  if (!semanticEqual(newSpec, oldSpec)) {
    errs.push(forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', oldSpec, newSpec)}`));
  }
  const sink: FieldError[] = [];
  const newSize = quantityAt(pvc.spec?.resources?.requests?.storage, 'spec.resources.requests.storage', sink);
  const oldSize = quantityAt(old.spec?.resources?.requests?.storage, 'spec.resources.requests.storage', sink);
  const statusSize = quantityAt(old.status?.capacity?.storage, 'status.capacity.storage', sink);
  if (newSize && oldSize && compareQuantity(newSize, oldSize) < 0 && (!statusSize || compareQuantity(newSize, statusSize) <= 0)) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  errs.push(...validateImmutableField(pvc.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  return errs;
}

const pvSources = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi',
  'cinder', 'fc', 'azureFile', 'flexVolume', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO',
  'local', 'storageos', 'csi',
];

function validatePersistentVolumeSource(spec: NonNullable<PersistentVolume['spec']>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rec = spec as unknown as Record<string, unknown>;
  const set = pvSources.filter((k) => rec[k] !== undefined && rec[k] !== null);
  set.slice(1).forEach((k) => errs.push(forbidden(childPath(path, k), 'may not specify more than 1 volume type')));
  if (set.length === 0) errs.push(required(path, 'must specify a volume type'));
  const first = set[0];
  if (first === 'hostPath' || first === 'local') {
    const p = (rec[first] as { path?: string }).path ?? '';
    if (!p) errs.push(required(childPath(path, first, 'path')));
    else errs.push(...validatePathNoBacksteps(p, childPath(path, first, 'path')));
  } else if (first === 'nfs') {
    const nfs = spec.nfs ?? { server: '', path: '' };
    if (!nfs.server) errs.push(required(childPath(path, 'nfs', 'server')));
    if (!nfs.path) errs.push(required(childPath(path, 'nfs', 'path')));
    if (!nfs.path?.startsWith('/')) errs.push(invalidValue(childPath(path, 'nfs', 'path'), nfs.path ?? '', 'must be an absolute path'));
  } else if (first === 'csi') {
    if (!spec.csi?.driver) errs.push(required(childPath(path, 'csi', 'driver')));
    if (!spec.csi?.volumeHandle) errs.push(required(childPath(path, 'csi', 'volumeHandle')));
  }
  if (first === 'local' && !spec.nodeAffinity) errs.push(required(childPath(path, 'nodeAffinity'), 'Local volume requires node affinity'));
  return errs;
}

/** validatePersistentVolume is upstream's ValidatePersistentVolume for the common rules. */
export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, { namespaced: false, nameValidator: nameIsDNSSubdomain });
  const spec = pv.spec ?? {};
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''));
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errs.push(required('spec.capacity'));
  if (!Object.hasOwn(capacity, 'storage') || Object.keys(capacity).length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const [name, raw] of Object.entries(capacity)) {
    const fp = keyPath('spec.capacity', name);
    const q = quantityAt(raw, fp, errs);
    if (q && q.nanos <= 0n) errs.push(invalidValue(fp, formatQuantity(q), 'must be greater than zero'));
  }
  if (spec.persistentVolumeReclaimPolicy && !reclaimPolicies.includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, reclaimPolicies));
  }
  errs.push(...validatePersistentVolumeSource(spec, 'spec'));
  if (spec.storageClassName) errs.push(...invalidEach('spec.storageClassName', spec.storageClassName, nameIsDNSSubdomain(spec.storageClassName, false)));
  if (spec.volumeMode && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, volumeModes));
  return errs;
}

function sourceOf(pv: PersistentVolume): Record<string, unknown> {
  const rec = (pv.spec ?? {}) as unknown as Record<string, unknown>;
  return Object.fromEntries(pvSources.filter((k) => rec[k] !== undefined).map((k) => [k, rec[k]]));
}

/** validatePersistentVolumeUpdate: the volume source and volumeMode are immutable after creation. */
export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pv.metadata, old.metadata), ...validatePersistentVolume(pv)];
  if (!semanticEqual(sourceOf(pv), sourceOf(old))) {
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${specDiff('core.PersistentVolumeSource', sourceOf(old), sourceOf(pv))}`));
  }
  errs.push(...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, 'volumeMode'));
  return errs;
}
