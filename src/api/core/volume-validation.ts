import type { DownwardAPIVolumeFile, Volume } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, duplicate, forbidden, indexPath, invalidEach, invalidValue, notSupported, required } from '../validation/field.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.ts';
import { nameIsDNSSubdomain, validateTemplateObjectMeta } from '../validation/meta.ts';
import { validateFileMode, validateKeyToPath, validateLocalDescendingPath, validateLocalNonReservedPath, validatePathNoBacksteps } from './paths.ts';
import { volumeSources, type VolumeSourceKey } from './pod-defaults.ts';
import { quantityAt } from './resources.ts';
import { validatePersistentVolumeClaimSpec } from './persistent-volume-validation.ts';
import { validateObjectFieldSelector, validateResourceFieldSelector } from './env-validation.ts';

// Pod volume validation (ValidateVolumes / validateVolumeSource): unique DNS-label names, exactly one source, and the
// required fields of each source.

// Upstream names two sources differently in its "more than 1 volume type" error than in their own errors (sic).
const forbiddenChild: Partial<Record<VolumeSourceKey, string>> = { cephfs: 'cephFS', downwardAPI: 'downwarAPI' };
const childName: Partial<Record<VolumeSourceKey, string>> = { gcePersistentDisk: 'persistentDisk' };

// Sources whose only checks are required string fields.
const requiredFields: Partial<Record<VolumeSourceKey, string[]>> = {
  gcePersistentDisk: ['pdName'], awsElasticBlockStore: ['volumeID'], persistentVolumeClaim: ['claimName'], rbd: ['monitors', 'image'],
  cinder: ['volumeID'], cephfs: ['monitors'], flexVolume: ['driver'], azureFile: ['secretName', 'shareName'], vsphereVolume: ['volumePath'],
  photonPersistentDisk: ['pdID'], portworxVolume: ['volumeID'], azureDisk: ['diskName', 'diskURI'], storageos: ['volumeName'],
  scaleIO: ['gateway', 'system', 'volumeName'], iscsi: ['targetPortal', 'iqn'], glusterfs: ['endpoints', 'path'], quobyte: ['registry', 'volume'],
};

const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const volumeFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateDownwardAPIFile(file: DownwardAPIVolumeFile, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!file.path) errs.push(required(childPath(path, 'path')));
  errs.push(...validateLocalNonReservedPath(file.path ?? '', childPath(path, 'path')));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, volumeFieldPaths, childPath(path, 'fieldRef')));
    if (file.resourceFieldRef) errs.push(invalidValue(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (file.resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, childPath(path, 'resourceFieldRef'), true));
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateFileMode(file.mode, childPath(path, 'mode')));
  return errs;
}

function validateProjected(v: NonNullable<Volume['projected']>, path: string): FieldError[] {
  const errs = validateFileMode(v.defaultMode, childPath(path, 'defaultMode'));
  const paths = new Set<string>();
  const claimPath = (p: string | undefined, name: unknown): void => {
    if (!p) return;
    if (paths.has(p)) errs.push(invalidValue(path, name, 'conflicting duplicate paths'));
    paths.add(p);
  };
  (v.sources ?? []).forEach((src, i) => {
    const sp = indexPath(childPath(path, 'sources'), i);
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const s = src[kind];
      if (!s) continue;
      n++;
      if (!s.name) errs.push(required(childPath(sp, kind, 'name')));
      (s.items ?? []).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, indexPath(childPath(sp, kind, 'items'), j)));
        claimPath(kp.path, s.name ?? '');
      });
    }
    if (src.downwardAPI) {
      n++;
      for (const file of src.downwardAPI.items ?? []) {
        errs.push(...validateDownwardAPIFile(file, childPath(sp, 'downwardAPI')));
        claimPath(file.path, file.path);
      }
    }
    const token = src.serviceAccountToken;
    if (token) {
      n++;
      const exp = token.expirationSeconds ?? 3600;
      if (exp < 600) errs.push(invalidValue(childPath(sp, 'serviceAccountToken', 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(invalidValue(childPath(sp, 'serviceAccountToken', 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!token.path) errs.push(required(childPath(path, 'path')));
      else errs.push(...validateLocalNonReservedPath(token.path, childPath(path, 'path')));
    }
    if (n > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateSource(v: Volume, key: VolumeSourceKey, idx: string, podName: string | undefined): FieldError[] {
  const path = childPath(idx, childName[key] ?? key);
  const src = (v as unknown as Record<string, Record<string, unknown>>)[key] ?? {};
  const errs: FieldError[] = [];
  for (const f of requiredFields[key] ?? []) {
    const val = src[f];
    if (val === undefined || val === '' || (Array.isArray(val) && val.length === 0)) errs.push(required(childPath(path, f)));
  }
  switch (key) {
    case 'emptyDir': {
      const q = quantityAt(v.emptyDir?.sizeLimit, childPath(path, 'sizeLimit'), errs);
      if (q && q.nanos < 0n) errs.push(forbidden(childPath(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      break;
    }
    case 'hostPath': {
      const hp = v.hostPath ?? { path: '' };
      if (!hp.path) return [required(childPath(path, 'path'))];
      errs.push(...validatePathNoBacksteps(hp.path, childPath(path, 'path')));
      if (hp.type !== undefined && !hostPathTypes.includes(hp.type)) errs.push(notSupported(childPath(path, 'type'), hp.type, hostPathTypes));
      break;
    }
    case 'gitRepo':
      if (!v.gitRepo?.repository) errs.push(required(childPath(path, 'repository')));
      errs.push(...validateLocalDescendingPath(v.gitRepo?.directory ?? '', childPath(path, 'directory')));
      break;
    case 'secret':
    case 'configMap': {
      const s = key === 'secret' ? { name: v.secret?.secretName, field: 'secretName', ...v.secret } : { name: v.configMap?.name, field: 'name', ...v.configMap };
      if (!s.name) errs.push(required(childPath(path, s.field)));
      errs.push(...validateFileMode(s.defaultMode, childPath(path, 'defaultMode')));
      (s.items ?? []).forEach((kp, i) => errs.push(...validateKeyToPath(kp, indexPath(childPath(path, 'items'), i))));
      break;
    }
    case 'nfs':
      if (!v.nfs?.server) errs.push(required(childPath(path, 'server')));
      if (!v.nfs?.path) errs.push(required(childPath(path, 'path')));
      if (!v.nfs?.path?.startsWith('/')) errs.push(invalidValue(childPath(path, 'path'), v.nfs?.path ?? '', 'must be an absolute path'));
      break;
    case 'downwardAPI':
      errs.push(...validateFileMode(v.downwardAPI?.defaultMode, childPath(path, 'defaultMode')));
      for (const file of v.downwardAPI?.items ?? []) errs.push(...validateDownwardAPIFile(file, path));
      break;
    case 'projected':
      errs.push(...validateProjected(v.projected ?? {}, path));
      break;
    case 'csi': {
      const driver = v.csi?.driver ?? '';
      if (!driver) errs.push(required(childPath(path, 'driver')));
      if (driver.length > 63) errs.push({ type: 'FieldValueTooLong', field: childPath(path, 'driver'), detail: 'must have at most 63 bytes' });
      errs.push(...invalidEach(childPath(path, 'driver'), driver, isDNS1123Subdomain(driver.toLowerCase())));
      break;
    }
    case 'ephemeral': {
      const t = v.ephemeral?.volumeClaimTemplate;
      if (!t) {
        errs.push(required(childPath(path, 'volumeClaimTemplate')));
      } else {
        errs.push(...validateTemplateObjectMeta(t.metadata, childPath(path, 'volumeClaimTemplate', 'metadata')));
        errs.push(...validatePersistentVolumeClaimSpec(t.spec, childPath(path, 'volumeClaimTemplate', 'spec')));
        if (podName && v.name) {
          const pvcName = `${podName}-${v.name}`;
          for (const msg of nameIsDNSSubdomain(pvcName, false)) errs.push(invalidValue(childPath(idx, 'name'), v.name, `PVC name "${pvcName}": ${msg}`));
        }
      }
      break;
    }
    case 'image': {
      const img = src as { reference?: string; pullPolicy?: string };
      if (podName !== undefined && !img.reference) errs.push(required(childPath(path, 'reference')));
      if (img.pullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(img.pullPolicy)) errs.push(notSupported(childPath(path, 'pullPolicy'), img.pullPolicy, ['Always', 'IfNotPresent', 'Never']));
      break;
    }
    default:
      break;
  }
  return errs;
}

/** validateVolumes checks a pod's volumes and returns the valid ones by name (mounts may only reference those). */
export function validateVolumes(volumes: readonly Volume[] | undefined, podName: string | undefined, path: string): { volumes: Map<string, Volume>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const valid = new Map<string, Volume>();
  const createdClaims = new Set((volumes ?? []).filter((v) => v.ephemeral && podName).map((v) => `${podName}-${v.name}`));
  (volumes ?? []).forEach((v, i) => {
    const idx = indexPath(path, i);
    const namePath = childPath(idx, 'name');
    const sources = volumeSources(v);
    const el: FieldError[] = [];
    const first = sources[0];
    if (first) el.push(...validateSource(v, first, idx, podName));
    sources.slice(1).forEach((k) => el.push(forbidden(childPath(idx, forbiddenChild[k] ?? k), 'may not specify more than 1 volume type')));
    if (!first) el.push(required(idx, 'must specify a volume type'));
    if (!v.name) el.push(required(namePath));
    else el.push(...invalidEach(namePath, v.name, isDNS1123Label(v.name)));
    if (valid.has(v.name)) el.push(duplicate(namePath, v.name));
    if (el.length === 0) valid.set(v.name, v);
    else errs.push(...el);
    const claim = v.persistentVolumeClaim?.claimName;
    if (claim && createdClaims.has(claim)) {
      errs.push(invalidValue(childPath(idx, 'persistentVolumeClaim', 'claimName'), claim, 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { volumes: valid, errs };
}
