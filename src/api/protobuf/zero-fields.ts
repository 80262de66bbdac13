import { readFileSync } from 'node:fs';
import { groupOf } from './descriptor.ts';

/*
 * Which zero values survive decoding.
 *
 * gogo-protobuf writes every non-pointer field of a Go struct, set or not, so a decoded message carries
 * `generateName: ""`, `generation: 0` and `stdin: false` that the sender never set. Go's JSON would drop those
 * (`omitempty`), and the codec does too. A zero is kept only where Go's JSON keeps it:
 *   - pointer fields (*int32, *bool, *string): gogo writes them only when set, so a zero on the wire was meant
 *     (`replicas: 0`, `allowPrivilegeEscalation: false`, `storageClassName: ""`);
 *   - value fields without omitempty, which OpenAPI lists as required (`containerPort`, `ready`, `restartCount`),
 *     plus the few optional ones without omitempty.
 * Required fields come from the OpenAPI `required` lists at plan time; pointer (and other non-omitempty)
 * scalars are not visible in any schema, so zero-fields.json lists them per group and message, taken from
 * upstream's types (core/v1 deepcopy, apps/v1 types.go; the other groups from their types.go conventions).
 * A message's table applies to all versions of its group. A pointer field missing from the table loses
 * an explicit zero; a value field wrongly in it only keeps a harmless zero.
 *
 * The rest follows from what gogo writes:
 *   - nested structs: value structs are always written, pointer structs when set, so a message on the wire
 *     is rendered even when empty (`resources: {}`, `status: {}`), as Go's JSON does;
 *   - lists and maps: nothing is written when empty, so they never appear empty;
 *   - Time/MicroTime: the zero time is an empty message, which Go renders as null: omitted;
 *   - RawExtension/FieldsV1 with no bytes: null in Go: omitted;
 *   - IntOrString is treated as a scalar: `maxUnavailable: 0` (pointer) is kept, while a zero `targetPort`
 *     (a value field, which Go would print as 0) is omitted, since upstream defaulting treats 0 as unset.
 */

let table: Map<string, ReadonlySet<string>> | undefined;

function loadTable(): Map<string, ReadonlySet<string>> {
  if (table) return table;
  const raw = JSON.parse(readFileSync(new URL('./zero-fields.json', import.meta.url), 'utf8')) as Record<string, string>;
  table = new Map();
  for (const [key, fields] of Object.entries(raw)) {
    if (key.startsWith('//')) continue;
    table.set(key, new Set(fields.split(' ')));
  }
  return table;
}

// extensions/v1beta1 holds old copies of types that now live in these groups.
const extensionsHomes = ['apps', 'networking', 'policy', 'core'];

/** keepsZero tells whether a zero value of this field is rendered in JSON (pointer or non-omitempty field). */
export function keepsZero(messageName: string, jsonName: string): boolean {
  const t = loadTable();
  const short = messageName.slice(messageName.lastIndexOf('.') + 1);
  const group = groupOf(messageName);
  const own = t.get(`${group}.${short}`);
  if (own) return own.has(jsonName);
  if (group === 'extensions') {
    for (const home of extensionsHomes) {
      const moved = t.get(`${home}.${short}`);
      if (moved) return moved.has(jsonName);
    }
  }
  return false;
}
