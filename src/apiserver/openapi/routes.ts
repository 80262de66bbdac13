import * as p from './parameters.ts';
import type { ParameterSpec } from './parameters.ts';
import {
  article, createOp, deleteBody, mediaTypes, ok, patchOp, readOp, replaceOp, statusDefinition, watchEventDefinition,
  type OperationInput, type OperationSpec, type PathSpec, type ResolvedResource,
} from './operations.ts';
import { subresourceOps, type DefinitionResolver } from './subresources.ts';
import type { GroupVersionKind } from './types.ts';

/** groupVersionId spells a group-version as operation IDs do: "" v1 → CoreV1, rbac.authorization.k8s.io → RbacAuthorizationV1. */
export function groupVersionId(group: string, version: string): string {
  const words = group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split(/[.-]/);
  return words.map(upperFirst).join('') + upperFirst(version);
}

/** groupVersionTag is the operation tag of a group-version ("core_v1", "rbacAuthorization_v1"). */
export function groupVersionTag(group: string, version: string): string {
  const id = groupVersionId(group, '');
  return `${id.charAt(0).toLowerCase()}${id.slice(1)}_${version}`;
}

/** groupVersionPrefix is the URL prefix of a group-version ("/api/v1", "/apis/apps/v1"). */
export function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** apiResourcesPath is the group-version's own discovery path, which upstream documents too. */
export function apiResourcesPath(group: string, version: string): PathSpec {
  const get: OperationSpec = {
    method: 'get',
    operationId: `get${groupVersionId(group, version)}APIResources`,
    description: 'get available resources',
    tag: groupVersionTag(group, version),
    parameters: [],
    responses: [ok({ definition: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList' })],
    produces: [mediaTypes.json, mediaTypes.yaml, mediaTypes.protobuf],
  };
  return { path: `${groupVersionPrefix(group, version)}/`, parameters: [], operations: [get] };
}

// deletecollection takes list options to select its victims, plus delete options; watching makes no sense.
const deleteCollectionParams: readonly ParameterSpec[] = [
  ...p.listParams.filter((x) => x.name !== 'watch' && x.name !== 'allowWatchBookmarks'),
  ...p.deleteParams.filter((x) => !p.listParams.some((l) => l.name === x.name)),
].sort((a, b) => a.name.localeCompare(b.name));

/** resourcePaths lists the paths and operations of one resource, following its verbs and subresources. */
export function resourcePaths(r: ResolvedResource, resolve: DefinitionResolver): PathSpec[] {
  const { info } = r;
  const { kind } = info;
  const gvk: GroupVersionKind = { group: info.group, version: info.version, kind };
  const gv = groupVersionId(info.group, info.version);
  const tag = groupVersionTag(info.group, info.version);
  const prefix = groupVersionPrefix(info.group, info.version);
  const scope = info.namespaced ? 'Namespaced' : '';
  const collection = info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`;
  const scopeParams = info.namespaced ? [p.namespaceParam] : [];
  const itemParams = [p.nameParam(kind), ...scopeParams];
  const produces = r.custom ? [mediaTypes.json, mediaTypes.yaml] : [mediaTypes.json, mediaTypes.yaml, mediaTypes.protobuf];
  const has = (verb: string): boolean => info.verbs.includes(verb);
  const payload = { definition: r.definition };
  const op = (o: OperationInput): OperationSpec => ({ tag, produces, gvk, ...o });
  const paths: PathSpec[] = [];
  const add = (path: string, parameters: ParameterSpec[], operations: OperationSpec[]): void => {
    if (operations.length > 0) paths.push({ path, parameters: [...parameters, p.prettyParam], operations });
  };

  const listOp = (id: string): OperationSpec =>
    op({
      method: 'get', action: 'list', operationId: id, description: `list or watch objects of kind ${kind}`, parameters: p.listParams,
      responses: [ok(r.listDefinition ? { definition: r.listDefinition } : undefined)],
      produces: [...produces, ...(r.custom ? [] : mediaTypes.streamed)],
    });
  const watchOp = (id: string, action: 'watch' | 'watchlist'): OperationSpec =>
    op({
      method: 'get', action, operationId: id, parameters: p.listParams,
      description: `watch changes to ${action === 'watch' ? 'an object' : 'a list'} of kind ${kind}; deprecated, use the watch parameter of a list instead`,
      responses: [ok({ definition: watchEventDefinition })], produces: [...produces, ...mediaTypes.streamed],
    });

  if (info.namespaced && has('list')) add(`${prefix}/${info.resource}`, [], [listOp(`list${gv}${kind}ForAllNamespaces`)]);
  if (has('watch')) {
    if (info.namespaced) add(`${prefix}/watch/${info.resource}`, [], [watchOp(`watch${gv}${kind}ListForAllNamespaces`, 'watchlist')]);
    const watchCollection = `${prefix}/watch${collection.slice(prefix.length)}`;
    add(watchCollection, scopeParams, [watchOp(`watch${gv}${scope}${kind}List`, 'watchlist')]);
    add(`${watchCollection}/{name}`, itemParams, [watchOp(`watch${gv}${scope}${kind}`, 'watch')]);
  }

  const collectionOps: OperationSpec[] = [];
  if (has('list')) collectionOps.push(listOp(`list${gv}${scope}${kind}`));
  if (has('create')) collectionOps.push(createOp(op, { id: `create${gv}${scope}${kind}`, description: `create ${article(kind)} ${kind}`, payload }));
  if (has('deletecollection')) {
    collectionOps.push(op({
      method: 'delete', action: 'deletecollection', operationId: `delete${gv}Collection${scope}${kind}`, description: `delete collection of ${kind}`,
      parameters: deleteCollectionParams, body: deleteBody, responses: [ok({ definition: statusDefinition })],
    }));
  }
  add(collection, scopeParams, collectionOps);

  const itemOps: OperationSpec[] = [];
  if (has('get')) itemOps.push(readOp(op, { id: `read${gv}${scope}${kind}`, description: `read the specified ${kind}`, payload }));
  if (has('update')) itemOps.push(replaceOp(op, { id: `replace${gv}${scope}${kind}`, description: `replace the specified ${kind}`, payload }));
  if (has('patch')) itemOps.push(patchOp(op, { id: `patch${gv}${scope}${kind}`, description: `partially update the specified ${kind}`, payload }, r.custom));
  if (has('delete')) {
    const status = { definition: statusDefinition };
    itemOps.push(op({
      method: 'delete', action: 'delete', operationId: `delete${gv}${scope}${kind}`, description: `delete ${article(kind)} ${kind}`,
      parameters: p.deleteParams, body: deleteBody, responses: [ok(status), { code: '202', description: 'Accepted', payload: status }],
    }));
  }
  add(`${collection}/{name}`, itemParams, itemOps);

  for (const sub of info.subresources) {
    add(`${collection}/{name}/${sub}`, itemParams, subresourceOps({ r, sub, gv, scope, op, resolve }));
  }
  return paths;
}
