import type { ResourceInfo } from '../../api/kinds.ts';

/** resourcePrefix is the store prefix of a resource: /registry/pods/ for core, /registry/apps/deployments/ otherwise. */
export function resourcePrefix(info: Pick<ResourceInfo, 'group' | 'resource'>): string {
  return info.group === '' ? `/registry/${info.resource}/` : `/registry/${info.group}/${info.resource}/`;
}

/** objectStoreKey is the store key of one object. */
export function objectStoreKey(prefix: string, namespace: string | undefined, name: string): string {
  return namespace ? `${prefix}${namespace}/${name}` : `${prefix}${name}`;
}

/** namespacePrefix is the store prefix of a namespace's objects of one resource. */
export function namespacePrefix(prefix: string, namespace: string): string {
  return `${prefix}${namespace}/`;
}

/** prefixEndOf returns the smallest key greater than every key under prefix. */
export function prefixEndOf(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
