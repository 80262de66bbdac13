import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { builtinResources, type ResourceInfo } from '../../api/kinds.ts';
import { OpenApiBuilder, serveOpenApi, type CustomResourceSchema } from './index.ts';

// Real kubectl binaries (gcloud ships kubectl.1.27 ... kubectl.1.33 next to its dispatcher) against a
// plain-HTTP fake API server that serves discovery and our OpenAPI documents, nothing else.

function kubectlDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (!existsSync(candidate)) continue;
    const real = dirname(realpathSync(candidate));
    if (existsSync(join(real, 'kubectl.1.27')) && existsSync(join(real, 'kubectl.1.32'))) return real;
  }
  return undefined;
}

const binDir = kubectlDir();
const skip = binDir === undefined ? 'kubectl.1.27 / kubectl.1.32 binaries not found next to kubectl on PATH' : false;

// Schema features kubectl's v2 parser must swallow: if any of them came out malformed in the protobuf,
// kubectl would reject the whole v2 document and the client-side validation cases below would fail.
const structuralOddities = {
  port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
  note: { type: 'string', nullable: true, default: 'on', enum: ['on', 'off'] },
  extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  rules: {
    type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
    items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, weight: { type: 'number', minimum: 0 } } },
  },
  any: { 'x-kubernetes-preserve-unknown-fields': true },
} as Record<string, JSONSchemaProps>; // kubernetes-types' JSONSchemaProps lacks the x-kubernetes-* fields

const cronTab: CustomResourceSchema = {
  info: {
    group: 'stable.example.com', version: 'v1', kind: 'CronTab', listKind: 'CronTabList', resource: 'crontabs', singular: 'crontab',
    namespaced: true, shortNames: ['ct'], categories: [], subresources: ['status'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  },
  schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        description: 'CronTabSpec says when and what to run.',
        properties: {
          cronSpec: { type: 'string', description: 'The schedule, in cron format.' },
          replicas: { type: 'integer', description: 'How many copies run at once.' },
          ...structuralOddities,
        },
      },
    },
  },
};

function crdList(): object {
  const { group, version, kind, listKind, resource, singular, shortNames } = cronTab.info;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${resource}.${group}` },
    spec: { group, scope: 'Namespaced', names: { kind, listKind, plural: resource, singular, shortNames }, versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: cronTab.schema } }] },
  };
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinitionList', metadata: { resourceVersion: '1' }, items: [crd] };
}

interface Recorded { method: string; url: string; accept: string }

function resourceList(gv: string, infos: readonly ResourceInfo[]): object {
  const resources = infos.flatMap((r) => [
    { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames, categories: r.categories },
    ...r.subresources.map((s) => ({ name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, kind: s === 'scale' ? 'Scale' : r.kind, verbs: ['get', 'patch', 'update'] })),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
}

function discovery(path: string, infos: readonly ResourceInfo[]): object | undefined {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  if (path === '/apis') {
    const groups = new Map<string, string[]>();
    for (const r of infos) if (r.group !== '') groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const [group, version] = m[1] ? ['', m[1]] : [m[2]!, m[3]!];
  const matching = infos.filter((r) => r.group === group && r.version === version);
  return matching.length > 0 ? resourceList(group ? `${group}/${version}` : version, matching) : undefined;
}

async function startFakeServer(builder: OpenApiBuilder, infos: readonly ResourceInfo[], log: Recorded[]): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    log.push({ method: req.method ?? '', url: req.url ?? '', accept: req.headers.accept ?? '' });
    const json = (status: number, body: object): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/version') return json(200, { major: '1', minor: '32', gitVersion: 'v1.32.5', platform: 'linux/amd64' });
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const answer = serveOpenApi(builder, new Request(url, { method: req.method ?? 'GET', headers }));
    if (answer !== undefined) {
      void answer.arrayBuffer().then((body) => {
        answer.headers.forEach((value, name) => res.setHeader(name, value));
        res.writeHead(answer.status).end(Buffer.from(body));
      });
      return;
    }
    // kubectl's field-validation check lists CRDs when a kind has no PATCH operation to look at.
    if (url.pathname === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions') return json(200, crdList());
    const doc = discovery(url.pathname, infos);
    if (doc) return json(200, doc);
    json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('kubectl against the served OpenAPI documents', { skip }, () => {
  const log: Recorded[] = [];
  const infos = [...builtinResources, cronTab.info];
  const builder = new OpenApiBuilder({ resources: builtinResources, customResources: [cronTab], version: 'v1.32.5' });
  let server: Server;
  let dir: string;

  before(async () => {
    server = await startFakeServer(builder, infos, log);
    dir = mkdtempSync(join(tmpdir(), 'berth-openapi-kubectl-'));
    const { port } = server.address() as AddressInfo;
    writeFileSync(join(dir, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: fake',
      'clusters:', '- name: fake', '  cluster:', `    server: http://127.0.0.1:${port}`,
      'contexts:', '- name: fake', '  context: {cluster: fake, user: fake, namespace: default}',
      'users:', '- name: fake', '  user: {}', '',
    ].join('\n'));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Each run gets its own cache dir so one version's discovery or OpenAPI cache never feeds another.
  async function kubectl(version: string, args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const cache = mkdtempSync(join(dir, 'cache-'));
    const env = { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') };
    return new Promise((resolve) => {
      const child = execFile(join(binDir!, `kubectl.${version}`), [...args, `--cache-dir=${cache}`], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      });
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  }

  function fetched(prefix: string): boolean {
    return log.some((r) => r.url.startsWith(prefix));
  }

  it('kubectl 1.32 explain deployment.spec.strategy prints field and type descriptions and the fields', async () => {
    const r = await kubectl('1.32', ['explain', 'deployment.spec.strategy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(r.stdout, /The deployment strategy to use to replace existing pods with new ones\./);
    assert.match(r.stdout, /DeploymentStrategy describes how to replace existing pods with new ones\./);
    assert.match(r.stdout, /rollingUpdate\t<RollingUpdateDeployment>/);
    assert.match(r.stdout, /type\t<string>/);
    assert.ok(fetched('/openapi/v3/apis/apps/v1?hash='), 'explain should fetch the hashed apps/v1 document');
  });

  // Every installed minor, to catch a version whose explain reads the documents differently.
  for (const version of ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33']) {
    const missing = binDir !== undefined && !existsSync(join(binDir, `kubectl.${version}`));
    it(`kubectl ${version} explain deployment.spec.replicas`, { skip: missing ? `kubectl.${version} not installed` : false }, async () => {
      const r = await kubectl(version, ['explain', 'deployment.spec.replicas']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /FIELD: replicas <integer>/);
      assert.match(r.stdout, /Number of desired pods\./);
    });
  }

  it('kubectl 1.27 explain pods.spec.containers describes the list and its item fields', async () => {
    const r = await kubectl('1.27', ['explain', 'pods.spec.containers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /containers\s+<\[\]Container>/);
    assert.match(r.stdout, /List of containers belonging to the pod\./);
    assert.match(r.stdout, /image\t<string>/);
  });

  it('kubectl 1.27 explain --output=plaintext-openapiv2 reads the v2 protobuf document', async () => {
    log.length = 0;
    const r = await kubectl('1.27', ['explain', 'pods.spec.containers', '--output=plaintext-openapiv2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /List of containers belonging to the pod\./);
    assert.match(r.stdout, /imagePullPolicy\t<string>/);
    const v2 = log.find((x) => x.url.startsWith('/openapi/v2'));
    assert.ok(v2, 'expected a request for /openapi/v2');
    assert.match(v2.accept, /com\.github\.proto-openapi\.spec\.v2/);
  });

  it('kubectl 1.32 explain crontabs.spec shows the CRD schema descriptions', async () => {
    const r = await kubectl('1.32', ['explain', 'crontabs.spec']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /CronTabSpec says when and what to run\./);
    assert.match(r.stdout, /cronSpec\t<string>/);
    assert.match(r.stdout, /The schedule, in cron format\./);
  });

  // A kind without a PATCH operation lists no fieldValidation support, so kubectl validates on the
  // client with the v2 (protobuf) schema, which is what these two cases exercise.
  const unknownField = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { name: 'x' }, spec: { token: 't', bogus: 1 } });
  for (const version of ['1.27', '1.32']) {
    it(`kubectl ${version} create --validate=true rejects an unknown field on the client`, async () => {
      log.length = 0;
      const r = await kubectl(version, ['create', '--dry-run=client', '--validate=true', '-f', '-'], unknownField);
      assert.notEqual(r.code, 0, r.stdout);
      // kubectl's own wording for a v2 schema violation, naming the v2 definition the field is missing from.
      assert.match(r.stderr, /ValidationError\(TokenReview\.spec\): unknown field "bogus" in io\.k8s\.api\.authentication\.v1\.TokenReviewSpec/);
      assert.ok(fetched('/openapi/v2'), 'client-side validation reads the v2 document');
    });
  }

  it('kubectl 1.32 reports an unknown kind the upstream way once v2 is served', async () => {
    const bogus = { apiVersion: 'example.com/v1', kind: 'Bogus', metadata: { name: 'x' } };
    const r = await kubectl('1.32', ['create', '--dry-run=client', '-f', '-'], JSON.stringify(bogus));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no matches for kind "Bogus" in version "example\.com\/v1"/);
  });

  it('kubectl 1.32 apply --dry-run=client reads the v3 document', async () => {
    log.length = 0;
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } };
    const r = await kubectl('1.32', ['apply', '--dry-run=client', '-f', '-'], JSON.stringify(cm));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/cfg created \(dry run\)/);
    assert.ok(fetched('/openapi/v3/api/v1?hash='));
  });

  it('kubectl 1.32 create --validate=true finds server-side field validation for Deployments', async () => {
    log.length = 0;
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    const r = await kubectl('1.32', ['create', '--dry-run=client', '--validate=true', '-o', 'name', '-f', '-'], JSON.stringify(deployment));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/web');
    assert.ok(fetched('/openapi/v3/apis/apps/v1?hash='), 'the field-validation check reads the v3 apps/v1 document');
    assert.ok(!fetched('/openapi/v2'), 'a kind whose PATCH lists fieldValidation needs no client-side v2 schema');
  });
});
