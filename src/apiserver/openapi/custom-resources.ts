import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import type { DefinitionCatalog } from './catalog.ts';
import { mapSchemas, toKubectlV2Schema, toV3Schema } from './convert.ts';
import { definitionRefPrefix, type CustomResourceSchema, type Schema } from './types.ts';

const objectMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const listMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
// A built-in kind whose apiVersion, kind and metadata docs are the generic ones a CR should show.
const typeMetaDocsFrom = 'io.k8s.api.core.v1.ConfigMap';

/** CustomResourceDefinitions are the named schemas one CRD version contributes to each OpenAPI version. */
export interface CustomResourceDefinitions {
  definition: string;
  listDefinition: string;
  v2: Record<string, Schema>;
  v3: Record<string, Schema>;
  /** references are the built-in definitions these schemas point at (ObjectMeta, ListMeta). */
  references: string[];
}

/** customDefinitionName names a CR's schema as upstream does: the group reversed, "com.example.stable.v1.CronTab". */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return [...group.split('.').reverse(), version, kind].join('.');
}

/** normalizeCrdSchema copies a CRD's openAPIV3Schema into a Schema, keeping its x-kubernetes-* extensions. */
export function normalizeCrdSchema(props: JSONSchemaProps): Schema {
  const copy = structuredClone(props) as unknown as Record<string, unknown>;
  // JSONSchemaPropsOrArray allows a list of item schemas; structural schemas never use it.
  if (Array.isArray(copy.items)) copy.items = copy.items[0];
  return copy as Schema;
}

/** customResourceDefinitions builds the v2 and v3 schemas of one CR kind and its list kind. */
export function customResourceDefinitions(cr: CustomResourceSchema, catalog: DefinitionCatalog): CustomResourceDefinitions {
  const { group, version, kind, listKind, resource } = cr.info;
  const definition = customDefinitionName(group, version, kind);
  const listDefinition = customDefinitionName(group, version, listKind);
  const docs = (field: string): string | undefined => catalog.propertyDescription(typeMetaDocsFrom, field);
  const gvk = (k: string): Schema => ({ 'x-kubernetes-group-version-kind': [{ group, kind: k, version }] });
  const base = cr.schema ? normalizeCrdSchema(cr.schema) : undefined;

  const v3Kind = base ? nativeSchema(base, docs, true) : { type: 'object' };
  let v2Kind: Schema = { type: 'object' };
  // Upstream publishes an open object to v2 when the root keeps unknown fields: kubectl's v2 validation
  // would otherwise reject every field the schema does not list.
  if (base && base['x-kubernetes-preserve-unknown-fields'] !== true) v2Kind = nativeSchema(toKubectlV2Schema(base), docs, false);

  const list: Schema = {
    description: `${listKind} is a list of ${kind}`,
    properties: {
      apiVersion: typeMetaField(docs('apiVersion')),
      items: {
        description: `List of ${resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: definitionRefPrefix + definition },
        type: 'array',
      },
      kind: typeMetaField(docs('kind')),
      metadata: withDoc({ $ref: definitionRefPrefix + listMeta }, 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'),
    },
    required: ['items'],
    type: 'object',
    ...gvk(listKind),
  };
  return {
    definition,
    listDefinition,
    v2: { [definition]: { ...v2Kind, ...gvk(kind) }, [listDefinition]: list },
    v3: { [definition]: toV3Schema({ ...v3Kind, ...gvk(kind) }), [listDefinition]: toV3Schema(list) },
    references: [objectMeta, listMeta],
  };
}

function typeMetaField(description: string | undefined): Schema {
  return withDoc({ type: 'string' }, description);
}

function withDoc(s: Schema, description: string | undefined): Schema {
  return description === undefined ? s : { ...s, description };
}

/**
 * nativeSchema adds what every Kubernetes object has to a CR schema: apiVersion, kind and a metadata
 * reference, at the root and at each x-kubernetes-embedded-resource. In v2 an embedded object that keeps
 * unknown fields gets nothing, because listing fields would make kubectl reject the unlisted ones.
 */
function nativeSchema(s: Schema, docs: (field: string) => string | undefined, v3: boolean): Schema {
  const embed = (x: Schema): Schema => {
    const metadata = withDoc({ $ref: definitionRefPrefix + objectMeta }, docs('metadata'));
    const properties = { ...x.properties, apiVersion: typeMetaField(docs('apiVersion')), kind: typeMetaField(docs('kind')), metadata };
    return { ...x, type: 'object', properties };
  };
  const withEmbedded = mapSchemas(s, (x) => {
    if (x['x-kubernetes-embedded-resource'] !== true) return x;
    if (!v3 && x['x-kubernetes-preserve-unknown-fields'] === true) return x;
    const out = embed(x);
    const required = new Set(out.required ?? []);
    out.required = [...(out.required ?? []), ...['kind', 'apiVersion'].filter((f) => !required.has(f))];
    return out;
  });
  return embed(withEmbedded);
}
