import { builtinResources, parseApiVersion } from '../api/kinds.ts';
import type { ApiObject } from '../api/object.ts';
import { ResourceClient, type ResourceRef } from './resource-client.ts';
import type { Transport } from './transport.ts';

/** Client gives typed resource clients over one transport (HTTPS or in-process). */
export class Client {
  readonly transport: Transport;
  readonly #clients = new Map<string, ResourceClient>();

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** resource returns the client of a built-in resource by apiVersion and plural ("apps/v1", "deployments"), or of any ResourceRef. */
  resource<T extends ApiObject = ApiObject>(apiVersionOrRef: string | ResourceRef, plural?: string): ResourceClient<T> {
    const ref = typeof apiVersionOrRef === 'string' ? builtinRef(apiVersionOrRef, plural ?? '') : apiVersionOrRef;
    const key = `${ref.group}/${ref.version}/${ref.resource}`;
    let c = this.#clients.get(key);
    if (!c) {
      c = new ResourceClient(this.transport, ref);
      this.#clients.set(key, c);
    }
    return c as unknown as ResourceClient<T>;
  }
}

/** builtinRef finds a built-in resource's ref; an unknown one is a programming error. */
export function builtinRef(apiVersion: string, plural: string): ResourceRef {
  const { group, version } = parseApiVersion(apiVersion);
  const info = builtinResources.find((r) => r.group === group && r.version === version && r.resource === plural);
  if (!info) throw new Error(`unknown built-in resource ${plural} in ${apiVersion}`);
  return { group, version, resource: plural, namespaced: info.namespaced, kind: info.kind };
}
