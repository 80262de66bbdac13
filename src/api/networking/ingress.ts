import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { FieldError } from '../errors.ts';
import { childPath, forbidden, indexPath, invalidEach, invalidValue, notSupported, required, tooLong } from '../validation/field.ts';
import { isDNS1123Subdomain, isDomainPrefixedPath, isValidPathSegmentName, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from '../validation/names.ts';
import { nameIsDNS1035Label, nameIsDNSSubdomain, validateImmutableField, validateNamespaceName, validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import { isIP } from '../validation/network.ts';

/** legacyIngressClassAnnotation is the deprecated way of naming a class on an Ingress. */
export const legacyIngressClassAnnotation = 'kubernetes.io/ingress.class';
/** defaultIngressClassAnnotation marks the cluster's default IngressClass. */
export const defaultIngressClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';

// Ingress and IngressClass defaulting and validation (networking/v1 ValidateIngressCreate, ValidateIngressClass).

/** defaultIngressClass sets parameters.scope to Cluster when parameters are given without a scope. */
export function defaultIngressClass(ic: IngressClass): void {
  const params = ic.spec?.parameters;
  if (params && params.scope === undefined) params.scope = 'Cluster';
}

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateTypedReference(ref: { apiGroup?: string; kind?: string; name?: string }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (ref.apiGroup !== undefined) errs.push(...invalidEach(childPath(path, 'apiGroup'), ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  if (!ref.kind) errs.push(required(childPath(path, 'kind'), 'kind is required'));
  else errs.push(...invalidEach(childPath(path, 'kind'), ref.kind, isValidPathSegmentName(ref.kind)));
  if (!ref.name) errs.push(required(childPath(path, 'name'), 'name is required'));
  else errs.push(...invalidEach(childPath(path, 'name'), ref.name, isValidPathSegmentName(ref.name)));
  return errs;
}

function validateBackend(backend: IngressBackend, path: string): FieldError[] {
  if (backend.resource && backend.service) return [invalidValue(path, '', 'cannot set both resource and service backends')];
  if (backend.resource) return validateTypedReference(backend.resource, childPath(path, 'resource'));
  if (!backend.service) return [invalidValue(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = backend.service;
  if (!svc.name) errs.push(required(childPath(path, 'service', 'name')));
  else errs.push(...invalidEach(childPath(path, 'service', 'name'), svc.name, nameIsDNS1035Label(svc.name, false)));
  const portName = svc.port?.name ?? '';
  const portNumber = svc.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalidValue(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...invalidEach(childPath(path, 'service', 'port', 'name'), portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(childPath(path, 'service', 'port', 'number'), portNumber, isValidPortNum(portNumber)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  if (!p.pathType) return [required(childPath(path, 'pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  const pp = childPath(path, 'path');
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalidValue(pp, value, 'must be an absolute path'));
    for (const seq of ['//', '/./', '/../', '%2f', '%2F']) if (value.includes(seq)) errs.push(invalidValue(pp, value, `must not contain '${seq}'`));
    for (const suffix of ['/..', '/.']) if (value.endsWith(suffix)) errs.push(invalidValue(pp, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalidValue(pp, value, 'must be an absolute path'));
  } else {
    errs.push(notSupported(childPath(path, 'pathType'), p.pathType, pathTypes));
  }
  return [...errs, ...validateBackend(p.backend, childPath(path, 'backend'))];
}

function validateIngressSpec(ing: Ingress): FieldError[] {
  const spec = ing.spec ?? {};
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) errs.push(invalidValue('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const rp = indexPath('spec.rules', i);
    const host = rule.host ?? '';
    if (host) {
      if (isIP(host)) errs.push(invalidValue(childPath(rp, 'host'), host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...invalidEach(childPath(rp, 'host'), host, msgs));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(required(childPath(rp, 'http', 'paths')));
      paths.forEach((p, j) => errs.push(...validatePath(p, indexPath(childPath(rp, 'http', 'paths'), j))));
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    const tp = indexPath('spec.tls', i);
    (tls.hosts ?? []).forEach((h, j) => {
      errs.push(...invalidEach(indexPath(childPath(tp, 'hosts'), j), h, h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h)));
    });
    if (tls.secretName) errs.push(...invalidEach(childPath(tp, 'secretName'), tls.secretName, nameIsDNSSubdomain(tls.secretName, false)));
  });
  if (spec.ingressClassName !== undefined) errs.push(...invalidEach('spec.ingressClassName', spec.ingressClassName, nameIsDNSSubdomain(spec.ingressClassName, false)));
  return errs;
}

/** validateIngress is upstream's ValidateIngressCreate, including the class annotation/field agreement. */
export function validateIngress(ing: Ingress): FieldError[] {
  const errs = [...validateObjectMeta(ing.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }), ...validateIngressSpec(ing)];
  const annotation = ing.metadata?.annotations?.[legacyIngressClassAnnotation];
  const className = ing.spec?.ingressClassName;
  if (annotation !== undefined && className !== undefined && annotation !== className) {
    errs.push(invalidValue('annotations.kubernetes.io/ingress.class', annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

/** validateIngressUpdate is upstream's ValidateIngressUpdate. */
export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  return [...validateObjectMetaUpdate(ing.metadata, old.metadata), ...validateObjectMeta(ing.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }), ...validateIngressSpec(ing)];
}

/** validateIngressClass is upstream's ValidateIngressClass: a domain-prefixed controller and valid parameters. */
export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, { namespaced: false, nameValidator: nameIsDNSSubdomain });
  const controller = ic.spec?.controller ?? '';
  if (controller.length > 250) errs.push(tooLong('spec.controller', 250));
  errs.push(...isDomainPrefixedPath('spec.controller', controller));
  const params = ic.spec?.parameters;
  if (params) {
    errs.push(...validateTypedReference(params, 'spec.parameters'));
    if (params.scope === undefined) errs.push(required('spec.parameters.scope'));
    else if (!['Cluster', 'Namespace'].includes(params.scope)) errs.push(notSupported('spec.parameters.scope', params.scope, ['Cluster', 'Namespace']));
    else if (params.scope === 'Namespace') {
      if (params.namespace === undefined) errs.push(required('spec.parameters.namespace', "`parameters.scope` is set to 'Namespace'"));
      else errs.push(...invalidEach('spec.parameters.namespace', params.namespace, validateNamespaceName(params.namespace, false)));
    } else if (params.namespace !== undefined) {
      errs.push(forbidden('spec.parameters.namespace', "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

/** validateIngressClassUpdate: the controller is fixed after creation. */
export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  return [...validateObjectMetaUpdate(ic.metadata, old.metadata), ...validateImmutableField(ic.spec?.controller, old.spec?.controller, 'spec.controller'), ...validateIngressClass(ic)];
}
