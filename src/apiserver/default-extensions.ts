import { builtinResources } from '../api/kinds.ts';
import { apiVersionOf } from '../api/kinds.ts';
import { ApiError } from '../api/errors.ts';
import type { ApiObject } from '../api/object.ts';
import { decodeObject, encodeObject, isProtobufEncodable } from '../api/protobuf/index.ts';
import { checkCustomResourceFieldSelector, checkFieldSelector, fieldMatcher, parseFieldSelector, parseLabelSelector } from '../api/selectors/index.ts';
import { buildTable, customResourceTable, tableFor, type TableConvertor } from '../api/tables/index.ts';
import { compiledSchemaOf } from './customresources/defs.ts';
import type { ApiExtensions, PatchRequest } from './extensions.ts';
import type { OpenApiSource } from './api-server.ts';
import { OpenApiBuilder, serveOpenApi, type CustomResourceSchema } from './openapi/index.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, schemaForKind } from './patch/index.ts';
import { builtinSchemaRegistry, serverSideApply, updateManagedFields, type SchemaRegistry } from './patch/apply/index.ts';
import type { ResourceRegistry } from './registry/registry.ts';
import type { ResourceDef } from './registry/resource.ts';
import type { TableRenderer } from './render.ts';
import { unknownFieldsOf } from './unknown-fields.ts';
import type { CachedObject } from './watchcache/index.ts';

/** defaultExtensions wires the selector, table, protobuf, patch and field-validation modules into the API server. */
export function defaultExtensions(clock: { now(): number } = { now: () => Date.now() }): ApiExtensions {
  const tables = new WeakMap<ResourceDef, TableRenderer>();
  let schemas: SchemaRegistry | null = null;
  const schemaRegistry = (): SchemaRegistry => (schemas ??= builtinSchemaRegistry());
  const applySchema = (def: ResourceDef) => {
    const { group, version, kind } = def.info;
    const s = def.custom ? schemaRegistry().forCustomResource(def.custom.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) : schemaRegistry().forKind({ group, version, kind });
    if (!s) throw new ApiError('InternalError', `no schema for ${kind}`);
    return s;
  };
  return {
    filterFor(def, labelSelector, fieldSelector) {
      const labels = labelSelector ? parseLabelSelector(labelSelector) : null;
      let fields: ((obj: unknown) => boolean) | null = null;
      if (fieldSelector) {
        const parsed = parseFieldSelector(fieldSelector);
        const { group, kind, namespaced } = def.info;
        if (def.custom) {
          const checked = checkCustomResourceFieldSelector(parsed, { namespaced, selectableFields: def.custom.selectableFields ?? [] } as never);
          fields = fieldMatcher(group, kind, checked);
        } else {
          fields = fieldMatcher(group, kind, checkFieldSelector(group, kind, parsed));
        }
      }
      const useLabels = labels && !labels.isEverything() ? labels : null;
      if (!useLabels && !fields) return undefined;
      return (o: CachedObject) => (!useLabels || useLabels.matches(o.obj.metadata?.labels)) && (!fields || fields(o.obj));
    },
    tableFor(def) {
      let r = tables.get(def);
      if (!r) {
        const convertor: TableConvertor = def.custom ? customResourceTable((def.custom.additionalPrinterColumns ?? null) as never) : tableFor(def.info.group, def.info.kind);
        r = (objects, listMeta, includeObject) =>
          buildTable(convertor, objects, { now: clock.now(), includeObject: includeObject as never, listMeta }) as unknown as ApiObject;
        tables.set(def, r);
      }
      return r;
    },
    protobuf: {
      decode: (body) => decodeObject(body).object,
      encode: (obj) => encodeObject(obj as Record<string, unknown>) as Uint8Array<ArrayBuffer>,
      encodable: isProtobufEncodable,
    },
    applyPatch(req: PatchRequest): ApiObject {
      const { def } = req;
      if (req.type === 'apply') {
        const res = serverSideApply<ApiObject>({
          live: req.current,
          applied: req.patch,
          manager: req.fieldManager,
          force: req.force,
          schema: applySchema(def),
          now: req.now,
          apiVersion: apiVersionOf(def.info.group, def.info.version),
          kind: def.info.kind,
          ...(req.subresource ? { subresource: req.subresource } : {}),
        });
        return res.object;
      }
      if (!req.current) throw new ApiError('NotFound', `${def.info.resource} not found`);
      switch (req.type) {
        case 'json':
          return applyJsonPatch(req.current, req.patch) as ApiObject;
        case 'merge':
          return applyMergePatch(req.current, req.patch) as ApiObject;
        case 'strategic': {
          const schema = def.custom ? undefined : schemaForKind(def.info.group, def.info.version, def.info.kind);
          return applyStrategicMergePatch(req.current, req.patch, schema) as ApiObject;
        }
        default: {
          const never: never = req.type;
          throw new ApiError('UnsupportedMediaType', `unsupported patch type ${String(never)}`);
        }
      }
    },
    unknownFields(def, body) {
      if (def.custom) {
        const schema = compiledSchemaOf(def.custom.schema);
        return schema ? schema.prune(structuredClone(body)) : [];
      }
      return unknownFieldsOf(def.info.group, def.info.version, def.info.kind, body);
    },
    trackManagedFields(def, obj, old, manager, subresource, now) {
      const res = updateManagedFields<ApiObject>({
        live: old,
        updated: obj,
        manager,
        schema: applySchema(def),
        now,
        apiVersion: apiVersionOf(def.info.group, def.info.version),
        ...(subresource ? { subresource } : {}),
      });
      const meta = obj.metadata ?? (obj.metadata = {});
      if (res.managedFields.length > 0) meta.managedFields = res.managedFields;
      else delete meta.managedFields;
    },
  };
}

/** openApiFor builds the OpenAPI source of a registry, rebuilt when custom resources come and go. */
export function openApiFor(registry: ResourceRegistry): OpenApiSource {
  const builtinsServed = builtinResources.filter((r) => registry.lookup(r.group, r.version, r.resource));
  let builder = new OpenApiBuilder({ resources: builtinsServed });
  const customs = (): CustomResourceSchema[] =>
    registry
      .all()
      .filter((s) => s.def.custom)
      .map((s) => ({ info: s.def.info, schema: s.def.custom?.schema as CustomResourceSchema['schema'] }));
  registry.onChange(() => {
    builder = builder.withCustomResources(customs());
  });
  return { serve: (req) => serveOpenApi(builder, req) };
}
