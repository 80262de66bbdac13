import { loadSchema, openapiDefFor, resolveTypeName } from './descriptor.ts';
import type { MessageJson, OpenApiDef, Schema } from './descriptor.ts';
import { keepsZero } from './zero-fields.ts';

/**
 * ValueKind says how one value is read and written. Scalars map to JSON scalars; the special kinds are the
 * apimachinery types whose Go JSON form differs from their message form.
 */
export type ValueKind =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'bytes' // []byte: base64 in JSON
  | 'time' // meta.v1.Time {seconds,nanos} ↔ RFC3339
  | 'microTime' // meta.v1.MicroTime ↔ RFC3339 with six fractional digits
  | 'duration' // meta.v1.Duration {duration ns} ↔ Go duration string
  | 'intOrString' // util.intstr.IntOrString ↔ number | string
  | 'quantity' // api.resource.Quantity {string} ↔ string
  | 'raw' // runtime.RawExtension / meta.v1.FieldsV1 {raw JSON bytes} ↔ any JSON value
  | 'items' // a named []string such as meta.v1.Verbs: {items} ↔ array
  | 'message';

/** FieldPlan is everything the codec needs about one field, computed once per message. */
export interface FieldPlan {
  readonly id: number;
  /** json is the JSON property name (the Go json tag), which differs from the proto name in a few types. */
  readonly json: string;
  readonly kind: ValueKind;
  readonly repeated: boolean;
  /** map marks map<string, V> fields: repeated entries {1: key, 2: value} on the wire, an object in JSON. */
  readonly map: boolean;
  /** inline marks embedded Go structs (json:",inline"): a nested message on the wire, flattened in JSON. */
  readonly inline: boolean;
  /** keepZero: a zero value is rendered (pointer or required field) instead of omitted (omitempty). */
  readonly keepZero: boolean;
  /** message is the plan of a 'message' kind value, filled right after construction. */
  message: MessagePlan | undefined;
}

/** MessagePlan is a message's fields in field-number order, plus a lookup by number. */
export interface MessagePlan {
  readonly name: string;
  readonly fields: FieldPlan[];
  readonly byId: (FieldPlan | undefined)[];
}

const specialKinds: Record<string, ValueKind> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'microTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'duration',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'raw',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'raw',
};

const scalarKinds: Record<string, ValueKind> = { string: 'string', bool: 'bool', int32: 'int32', int64: 'int64', bytes: 'bytes' };

const plans = new Map<string, MessagePlan>();

/** hasMessage tells whether the descriptor defines a message of this full name. */
export function hasMessage(name: string): boolean {
  return loadSchema().messages.has(name);
}

/** messageFieldNames lists a message's proto field names (for kind checks such as "has metadata"). */
export function messageFieldNames(name: string): string[] {
  return Object.keys(loadSchema().messages.get(name)?.fields ?? {});
}

/** planFor returns the cached plan of a message, compiling it (and what it reaches) on first use. */
export function planFor(name: string): MessagePlan {
  const cached = plans.get(name);
  if (cached) return cached;
  const schema = loadSchema();
  const msg = schema.messages.get(name);
  if (!msg) throw new Error(`protobuf descriptor has no message ${name}`);
  const plan: MessagePlan = { name, fields: [], byId: [] };
  // Cached before its fields are compiled so recursive types terminate.
  plans.set(name, plan);
  const lookup = openapiDefFor(schema, name);
  const def = lookup?.def;
  const pending: { field: FieldPlan; typeName: string }[] = [];
  for (const [protoName, f] of Object.entries(msg.fields)) {
    const typeName = scalarKinds[f.type] ? undefined : resolveTypeName(schema, name, f.type);
    if (!scalarKinds[f.type] && !typeName) throw new Error(`protobuf descriptor: ${name}.${protoName} has unknown type ${f.type}`);
    const kind = scalarKinds[f.type] ?? kindOfMessage(schema, typeName ?? '');
    const map = f.keyType !== undefined;
    const repeated = f.rule === 'repeated';
    const single = kind === 'message' && !repeated && !map ? typeName : undefined;
    const naming = jsonNaming(schema, lookup?.borrowed ? undefined : def, protoName, single);
    const field: FieldPlan = {
      id: f.id,
      json: naming.json,
      kind,
      repeated,
      map,
      inline: naming.inline,
      keepZero: (def?.required?.includes(naming.json) ?? false) || keepsZero(name, naming.json),
      message: undefined,
    };
    if (kind === 'message' && typeName) pending.push({ field, typeName });
    plan.fields.push(field);
    plan.byId[f.id] = field;
  }
  plan.fields.sort((a, b) => a.id - b.id);
  for (const p of pending) p.field.message = planFor(p.typeName);
  return plan;
}

function kindOfMessage(schema: Schema, typeName: string): ValueKind {
  const special = specialKinds[typeName];
  if (special) return special;
  const msg = schema.messages.get(typeName);
  if (msg && isItemsWrapper(schema, typeName, msg)) return 'items';
  return 'message';
}

// go-to-protobuf turns a named []string (meta.v1.Verbs, authentication ExtraValue ...) into a message with one
// repeated `items` field; Go's JSON renders the slice itself. OpenAPI has no definition for such wrappers.
function isItemsWrapper(schema: Schema, typeName: string, msg: MessageJson): boolean {
  const entries = Object.entries(msg.fields);
  if (entries.length !== 1) return false;
  const [fieldName, field] = entries[0] ?? ['', { type: '', id: 0 }];
  return fieldName === 'items' && field.rule === 'repeated' && field.type === 'string' && !schema.openapi[`io.k8s.${typeName.slice('k8s.io.'.length)}`];
}

interface Naming {
  json: string;
  inline: boolean;
}

/**
 * jsonNaming works out a field's JSON name from the OpenAPI definition (whose property names are the Go json
 * tags): the proto name itself, a case variant (protobuf name=Webhooks for json:"webhooks"), or none at all,
 * which for a message field means an embedded struct that Go's JSON flattens into its parent.
 */
function jsonNaming(schema: Schema, def: OpenApiDef | undefined, protoName: string, singleMessageType: string | undefined): Naming {
  const props = def?.properties;
  if (!props) return { json: protoName, inline: singleMessageType !== undefined && inlineByConvention(protoName, singleMessageType) };
  if (protoName in props) return { json: protoName, inline: false };
  const lower = protoName.toLowerCase();
  const variant = Object.keys(props).find((k) => k.toLowerCase() === lower);
  if (variant) return { json: variant, inline: false };
  if (singleMessageType && embeddedFieldsPresent(schema, singleMessageType, props)) return { json: '', inline: true };
  return { json: protoName, inline: false };
}

// embeddedFieldsPresent: every field of the embedded type shows up flattened in the parent's properties
// (recursively, since embedded structs nest: NamedRuleWithOperations ⊃ RuleWithOperations ⊃ Rule).
function embeddedFieldsPresent(schema: Schema, typeName: string, props: Record<string, unknown>, depth = 0): boolean {
  // Real embeddings nest two deep at most; the bound also stops recursive types.
  if (depth > 3) return false;
  const fields = Object.entries(schema.messages.get(typeName)?.fields ?? {});
  return (
    fields.length > 0 &&
    fields.every(([name, f]) => {
      if (name in props) return true;
      const nested = f.rule || f.keyType ? undefined : resolveTypeName(schema, typeName, f.type);
      return nested !== undefined && embeddedFieldsPresent(schema, nested, props, depth + 1);
    })
  );
}

// Without an OpenAPI definition (removed beta versions), go-to-protobuf's convention decides: an embedded struct
// is named after its type (volumeSource: VolumeSource), except ProbeHandler, which kept its old name `handler`.
function inlineByConvention(protoName: string, typeName: string): boolean {
  const short = typeName.slice(typeName.lastIndexOf('.') + 1);
  if (protoName === 'handler' && short === 'ProbeHandler') return true;
  return protoName === short.charAt(0).toLowerCase() + short.slice(1) && embeddedTypes.has(short);
}

// Types that Kubernetes embeds with json:",inline" somewhere; a same-named field elsewhere is a normal field.
const embeddedTypes = new Set([
  'VolumeSource',
  'PersistentVolumeSource',
  'LocalObjectReference',
  'ProbeHandler',
  'EphemeralContainerCommon',
  'IngressRuleValue',
  'RuleWithOperations',
  'Rule',
  'DeviceConfiguration',
]);
