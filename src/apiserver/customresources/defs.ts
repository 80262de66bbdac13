import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1.js';
import { allVerbs, apiVersionOf, type ResourceInfo } from '../../api/kinds.ts';
import type { FieldError } from '../../api/errors.ts';
import { metaOf, type ApiObject } from '../../api/object.ts';
import { compileSchema, type CompiledSchema, type Schema } from '../crd/index.ts';
import { defineResource, type ResourceDef } from '../registry/resource.ts';
import { defineStrategy } from '../registry/strategy.ts';

const compiled = new WeakMap<object, CompiledSchema>();

/** compiledSchemaOf compiles (once per schema object) a CRD version's schema. */
export function compiledSchemaOf(schema: unknown): CompiledSchema | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  let c = compiled.get(schema);
  if (!c) {
    c = compileSchema(schema as Schema);
    compiled.set(schema, c);
  }
  return c;
}

/** storageVersionOf is the version a CRD stores its objects in. */
export function storageVersionOf(crd: CustomResourceDefinition): string {
  return crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name ?? 'v1';
}

/** infoOf is the served resource of one CRD version. */
export function infoOf(crd: CustomResourceDefinition, v: CustomResourceDefinitionVersion): ResourceInfo {
  const names = crd.status?.acceptedNames ?? crd.spec.names;
  const sub: string[] = [];
  if (v.subresources?.status) sub.push('status');
  if (v.subresources?.scale) sub.push('scale');
  return {
    group: crd.spec.group,
    version: v.name,
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    resource: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    namespaced: crd.spec.scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources: sub,
    verbs: allVerbs,
  };
}

/** customResourceDefs builds the served definitions of every served version of a CRD. */
export function customResourceDefs(crd: CustomResourceDefinition): ResourceDef[] {
  const storage = apiVersionOf(crd.spec.group, storageVersionOf(crd));
  return crd.spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const info = infoOf(crd, v);
      const schema = compiledSchemaOf(v.schema?.openAPIV3Schema);
      const hasStatus = Boolean(v.subresources?.status);
      const check = (obj: ApiObject): FieldError[] => (schema ? schema.validate(obj) : []);
      const strategy = defineStrategy({
        hasStatus,
        tracksGeneration: true,
        defaults: (obj) => {
          // Unknown fields are dropped (pruned) and schema defaults applied, as upstream does on every write.
          if (schema) {
            schema.prune(obj);
            schema.applyDefaults(obj);
          }
        },
        prepareForCreate: (obj) => {
          if (hasStatus) delete obj.status;
          metaOf(obj);
        },
        validate: check,
        validateUpdate: (obj) => check(obj),
      });
      const def = defineResource(info, strategy);
      def.custom = {
        ...(v.schema?.openAPIV3Schema ? { schema: v.schema.openAPIV3Schema } : {}),
        ...(v.additionalPrinterColumns ? { additionalPrinterColumns: v.additionalPrinterColumns as unknown[] } : {}),
        ...(v.selectableFields ? { selectableFields: v.selectableFields } : {}),
      };
      if (apiVersionOf(info.group, info.version) !== storage) def.storageApiVersion = storage;
      return def;
    });
}
