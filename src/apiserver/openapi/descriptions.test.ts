import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescriptionIndex, declarationFileOf, parseDeclarationDocs } from './descriptions.ts';

const sample = [
  'import { ObjectMeta } from "../meta/v1";',
  '/** Widget is a thing. */',
  'export interface Widget {',
  '    /** Name of the widget. */',
  '    name: string;',
  '    /**',
  '     * Mode says how:',
  '     *   Fast - quickly.',
  '     *',
  '     * * Slow - later.',
  '     */',
  '    mode?: string;',
  '    labels?: {',
  '        [name: string]: string;',
  '    };',
  '    /** Current state, read-only. */',
  '    readonly status?: WidgetStatus;',
  '    /** A reference. */',
  '    $ref?: string;',
  '}',
  '/** Size is a quantity. */',
  'export type Size = string;',
  'export interface Bare {',
  '    undocumented?: string;',
  '}',
  '',
].join('\n');

describe('parseDeclarationDocs', () => {
  const docs = parseDeclarationDocs(sample);
  const cases = [
    { name: 'interface doc', got: docs.get('Widget')?.doc, want: 'Widget is a thing.' },
    { name: 'single-line property doc', got: docs.get('Widget')?.properties.get('name'), want: 'Name of the widget.' },
    { name: 'multi-line doc keeps lines, indentation and paragraphs', got: docs.get('Widget')?.properties.get('mode'), want: 'Mode says how:\n  Fast - quickly.\n\n* Slow - later.' },
    { name: 'readonly property', got: docs.get('Widget')?.properties.get('status'), want: 'Current state, read-only.' },
    { name: '$-prefixed property', got: docs.get('Widget')?.properties.get('$ref'), want: 'A reference.' },
    { name: 'type alias doc', got: docs.get('Size')?.doc, want: 'Size is a quantity.' },
    { name: 'undocumented interface', got: docs.get('Bare')?.doc, want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(c.got, c.want));

  it('does not attach a doc to a property inside a nested type literal', () => {
    assert.deepEqual([...(docs.get('Widget')?.properties.keys() ?? [])], ['name', 'mode', 'status', '$ref']);
    assert.equal(docs.get('Bare')?.properties.size, 0);
  });
});

describe('declarationFileOf', () => {
  const cases = [
    { def: 'io.k8s.api.apps.v1.Deployment', want: { file: 'apps/v1', type: 'Deployment' } },
    { def: 'io.k8s.api.core.v1.PodSpec', want: { file: 'core/v1', type: 'PodSpec' } },
    { def: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', want: { file: 'meta/v1', type: 'ObjectMeta' } },
    { def: 'io.k8s.apimachinery.pkg.api.resource.Quantity', want: { file: 'api/resource', type: 'Quantity' } },
    { def: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', want: { file: 'apiextensions/v1', type: 'JSONSchemaProps' } },
    { def: 'com.example.stable.v1.CronTab', want: undefined },
  ];
  for (const c of cases) it(c.def, () => assert.deepEqual(declarationFileOf(c.def), c.want));
});

describe('DescriptionIndex over the installed kubernetes-types', () => {
  const index = new DescriptionIndex();
  it('finds type and property docs', () => {
    assert.equal(index.typeDescription('io.k8s.api.apps.v1.DeploymentStrategy'), 'DeploymentStrategy describes how to replace existing pods with new ones.');
    assert.equal(index.propertyDescription('io.k8s.api.apps.v1.DeploymentSpec', 'strategy'), 'The deployment strategy to use to replace existing pods with new ones.');
    assert.match(index.propertyDescription('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'labels') ?? '', /Map of string keys and values/);
  });
  it('answers undefined for unknown groups, types and fields', () => {
    assert.equal(index.typeDescription('io.k8s.api.nosuchgroup.v1.Thing'), undefined);
    assert.equal(index.typeDescription('io.k8s.api.apps.v1.NoSuchKind'), undefined);
    assert.equal(index.propertyDescription('io.k8s.api.apps.v1.DeploymentSpec', 'noSuchField'), undefined);
  });
});
