import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** TypeDocs holds the doc comments of one declared type: its own and its properties'. */
export interface TypeDocs {
  doc: string | undefined;
  properties: Map<string, string>;
}

// Definition-name prefixes whose kubernetes-types file is not io.k8s.api.<group>.<version>.
const packageFiles: readonly (readonly [string, string])[] = [
  ['io.k8s.apimachinery.pkg.apis.meta.v1.', 'meta/v1'],
  ['io.k8s.apimachinery.pkg.api.resource.', 'api/resource'],
  ['io.k8s.apimachinery.pkg.runtime.', 'runtime'],
  ['io.k8s.apimachinery.pkg.version.', 'version'],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.', 'apiextensions/v1'],
];

// kubernetes-types inlines IntOrString as `number | string`, so its doc has no comment to come from.
const extraTypeDocs: Record<string, string> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString':
    'IntOrString holds either an integer or a string; JSON and YAML carry whichever of the two it holds.',
};

/** declarationFileOf maps a definition name to its kubernetes-types file (no extension) and type name. */
export function declarationFileOf(definition: string): { file: string; type: string } | undefined {
  for (const [prefix, file] of packageFiles) {
    if (definition.startsWith(prefix)) return { file, type: definition.slice(prefix.length) };
  }
  const m = /^io\.k8s\.api\.([a-z0-9]+)\.([a-z0-9]+)\.(\w+)$/.exec(definition);
  return m ? { file: `${m[1]}/${m[2]}`, type: m[3]! } : undefined;
}

/** parseDeclarationDocs reads the doc comments of a kubernetes-types .d.ts file, by type and property. */
export function parseDeclarationDocs(text: string): Map<string, TypeDocs> {
  const types = new Map<string, TypeDocs>();
  const lines = text.split('\n');
  let pending: string | undefined;
  let current: TypeDocs | undefined;
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed.startsWith('/**')) {
      const body: string[] = [];
      if (trimmed.endsWith('*/')) {
        body.push(trimmed.slice(3, -2).trim());
      } else {
        for (i++; i < lines.length; i++) {
          const line = lines[i]!.trim();
          if (line.startsWith('*/')) break;
          // The generator writes each description line as " * text"; the text keeps its own indentation.
          body.push(line.replace(/^\*(?: |$)/, '').trimEnd());
        }
      }
      pending = body.join('\n').trim();
      continue;
    }
    if (depth === 0) {
      const m = /^export (interface|type) (\w+)/.exec(trimmed);
      if (m) {
        const docs: TypeDocs = { doc: pending, properties: new Map() };
        types.set(m[2]!, docs);
        current = m[1] === 'interface' ? docs : undefined;
      }
      pending = undefined;
    } else if (depth === 1 && current !== undefined) {
      const m = /^(?:readonly )?"?([\w$-]+)"?\??:/.exec(trimmed);
      if (m && pending !== undefined) current.properties.set(m[1]!, pending);
      pending = undefined;
    }
    for (const ch of trimmed) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (depth === 0) current = undefined;
  }
  return types;
}

/**
 * DescriptionIndex serves upstream field descriptions from the kubernetes-types doc comments, parsing each
 * .d.ts file the first time one of its types is asked for (most servers never need most groups).
 */
export class DescriptionIndex {
  readonly #root: string;
  readonly #files = new Map<string, Map<string, TypeDocs>>();

  constructor(root?: string) {
    this.#root = root ?? dirname(fileURLToPath(import.meta.resolve('kubernetes-types/package.json')));
  }

  /** typeDescription returns the doc of a definition's type, if kubernetes-types has one. */
  typeDescription(definition: string): string | undefined {
    return extraTypeDocs[definition] ?? this.#docs(definition)?.doc;
  }

  /** propertyDescription returns the doc of one property of a definition. */
  propertyDescription(definition: string, property: string): string | undefined {
    return this.#docs(definition)?.properties.get(property);
  }

  #docs(definition: string): TypeDocs | undefined {
    const where = declarationFileOf(definition);
    if (where === undefined) return undefined;
    let file = this.#files.get(where.file);
    if (file === undefined) {
      try {
        file = parseDeclarationDocs(readFileSync(join(this.#root, `${where.file}.d.ts`), 'utf8'));
      } catch {
        // A group newer than the installed kubernetes-types has no file: serve it without descriptions.
        file = new Map();
      }
      this.#files.set(where.file, file);
    }
    return file.get(where.type);
  }
}
