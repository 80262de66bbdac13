import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectlPath, runKubectl, startServer, type KubectlResult, type ServerProcess } from '../../src/testing/server-process.ts';

const testdata = (f: string): string => fileURLToPath(new URL(`testdata/${f}`, import.meta.url));
const kubectl132 = kubectlPath(32);

describe('kubectl 1.32 against berth server', { skip: kubectl132 ? false : 'kubectl.1.32 is not installed beside the kubectl dispatcher' }, () => {
  let server: ServerProcess;
  let home: string;
  const k = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<KubectlResult> => runKubectl(kubectl132 as string, server.kubeconfig, home, args, opts);
  const ok = async (args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<string> => {
    const r = await k(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  before(async () => {
    server = await startServer();
    home = mkdtempSync(join(tmpdir(), 'berth-kubectl-home-'));
  });
  after(async () => {
    const code = await server.stop();
    rmSync(home, { recursive: true, force: true });
    assert.equal(code, 0, 'berth server exits cleanly on SIGTERM');
  });

  it('version reports the server', async () => {
    const out = await ok(['version', '-o', 'json']);
    assert.equal((JSON.parse(out) as { serverVersion: { minor: string } }).serverVersion.minor, '32');
  });

  it('api-resources lists built-in resources', async () => {
    const out = await ok(['api-resources']);
    for (const r of ['deployments', 'pods', 'customresourcedefinitions', 'leases', 'selfsubjectaccessreviews']) assert.match(out, new RegExp(`^${r}\\s`, 'm'));
  });

  it('explain reads the OpenAPI documents', async () => {
    const out = await ok(['explain', 'deployment.spec.strategy']);
    assert.match(out, /rollingUpdate\s+<RollingUpdateDeployment>/);
    assert.match(out, /type\s+<string>/);
  });

  it('create -f of a multi-document manifest, then client-side and server-side apply', async () => {
    const created = await ok(['create', '-f', testdata('app.yaml')]);
    assert.match(created, /namespace\/shop created/);
    assert.match(created, /deployment.apps\/web created/);
    assert.match(created, /secret\/creds created/);
    const again = await k(['create', '-f', testdata('app.yaml')]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /AlreadyExists|already exists/);
    assert.match(await ok(['apply', '-f', testdata('app.yaml')]), /deployment.apps\/web (configured|unchanged)/);
    assert.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', testdata('app.yaml')]), /deployment.apps\/web serverside-applied/);
    const managers = await ok(['get', 'deploy', '-n', 'shop', 'web', '-o', 'jsonpath={.metadata.managedFields[*].manager}', '--show-managed-fields']);
    assert.match(managers, /kubectl/);
  });

  it('a CRD is served within a second, with its custom resources', async () => {
    const out = await k(['apply', '-f', testdata('crontab-crd.yaml')]);
    // The custom resource in the same file may race the CRD, as upstream: apply again once established.
    assert.match(out.stdout, /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/);
    await ok(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=10s']);
    await ok(['apply', '-f', testdata('crontab-crd.yaml')]);
    const table = await ok(['get', 'ct', '-n', 'shop']);
    assert.match(table, /NAME\s+SPEC\s+REPLICAS/);
    assert.match(table, /nightly\s+0 3 \* \* \*\s+1/);
    assert.match(await ok(['explain', 'crontab.spec.cronSpec']), /The cron schedule/);
    const bad = await k(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'bad', namespace: 'shop' }, spec: { replicas: 0 } }) });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1/);
  });

  it('get prints tables, wide, yaml, jsonpath, selectors and all namespaces', async () => {
    assert.match(await ok(['get', 'deploy', '-n', 'shop']), /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/3/);
    assert.match(await ok(['get', 'deploy', '-n', 'shop', '-o', 'wide']), /CONTAINERS\s+IMAGES\s+SELECTOR[\s\S]*nginx:1.25\s+app=web/);
    assert.match(await ok(['get', 'svc', '-n', 'shop', 'web', '-o', 'yaml']), /targetPort: http/);
    assert.equal(await ok(['get', 'cm', '-n', 'shop', 'settings', '-o', 'jsonpath={.data.color}']), 'blue');
    assert.match(await ok(['get', 'deploy', '-A', '-l', 'tier=front', '--show-labels']), /shop\s+web\s.*app=web,tier=front/);
    assert.match((await k(['get', 'deploy', '-A', '-l', 'tier in (back)'])).stderr, /No resources found/);
    assert.match(await ok(['get', 'cm', '-A', '--field-selector', 'metadata.name=settings']), /shop\s+settings\s+1/);
    const badField = await k(['get', 'pods', '--field-selector', 'spec.bogus=1']);
    assert.match(badField.stderr, /field label not supported: spec.bogus/);
  });

  it('get -w sees a change', async () => {
    const watching = k(['get', 'cm', '-n', 'shop', '-w', '--request-timeout=8s']);
    await new Promise((r) => setTimeout(r, 1500));
    await ok(['create', 'configmap', 'watched', '-n', 'shop', '--from-literal=a=b']);
    const res = await watching;
    assert.match(res.stdout, /watched\s+1/);
  });

  it('label, annotate, three kinds of patch, scale and edit', async () => {
    await ok(['label', 'deploy', '-n', 'shop', 'web', 'team=blue']);
    await ok(['annotate', 'deploy', '-n', 'shop', 'web', 'note=hello']);
    await ok(['patch', 'deploy', '-n', 'shop', 'web', '--type=merge', '-p', '{"spec":{"replicas":4}}']);
    await ok(['patch', 'deploy', '-n', 'shop', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":5}]']);
    await ok(['patch', 'deploy', '-n', 'shop', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}']);
    assert.equal(await ok(['get', 'deploy', '-n', 'shop', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.labels.team} {.metadata.annotations.note}']), '5 nginx:1.26 blue hello');
    await ok(['scale', 'deploy', '-n', 'shop', 'web', '--replicas=2']);
    await ok(['edit', 'deploy', '-n', 'shop', 'web'], { env: { KUBE_EDITOR: 'sed -i s/replicas:\\ 2/replicas:\\ 6/' } });
    assert.equal(await ok(['get', 'deploy', '-n', 'shop', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '6 6');
    assert.match(await ok(['describe', 'deploy', '-n', 'shop', 'web']), /Replicas:\s+6 desired/);
  });

  it('wait --for=jsonpath', async () => {
    await ok(['wait', '--for=jsonpath={.data.color}=blue', 'cm/settings', '-n', 'shop', '--timeout=10s']);
  });

  it('reports errors as upstream does', async () => {
    const badName = await k(['create', 'configmap', 'Bad_Name']);
    assert.match(badName.stderr, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const stale = join(home, 'stale.yaml');
    writeFileSync(stale, await ok(['get', 'cm', '-n', 'shop', 'settings', '-o', 'yaml']));
    await ok(['label', 'cm', '-n', 'shop', 'settings', 'touched=yes']);
    const conflict = await k(['replace', '-f', stale]);
    assert.match(conflict.stderr, /Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again/);
    const unknown = await k(['get', 'widgets']);
    assert.match(unknown.stderr, /the server doesn't have a resource type "widgets"/);
    const missing = await k(['get', 'pod', 'nope', '-n', 'shop']);
    assert.match(missing.stderr, /pods "nope" not found/);
  });

  it('delete with cascade options and --wait', async () => {
    await ok(['create', 'configmap', 'owner', '-n', 'shop']);
    const uid = await ok(['get', 'cm', 'owner', '-n', 'shop', '-o', 'jsonpath={.metadata.uid}']);
    const dependent = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dependent', namespace: 'shop', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid, blockOwnerDeletion: true }] } };
    await ok(['create', '-f', '-'], { input: JSON.stringify(dependent) });
    await ok(['delete', 'cm', 'owner', '-n', 'shop', '--cascade=foreground', '--wait', '--timeout=20s']);
    const gone = await k(['get', 'cm', 'dependent', '-n', 'shop']);
    assert.match(gone.stderr, /not found/, 'foreground deletion removed the dependent first');
    await ok(['create', 'configmap', 'owner2', '-n', 'shop']);
    const uid2 = await ok(['get', 'cm', 'owner2', '-n', 'shop', '-o', 'jsonpath={.metadata.uid}']);
    await ok(['create', '-f', '-'], { input: JSON.stringify({ ...dependent, metadata: { ...dependent.metadata, name: 'kept', ownerReferences: [{ ...dependent.metadata.ownerReferences[0], name: 'owner2', uid: uid2 }] } }) });
    await ok(['delete', 'cm', 'owner2', '-n', 'shop', '--cascade=orphan', '--wait', '--timeout=20s']);
    assert.equal(await ok(['get', 'cm', 'kept', '-n', 'shop', '-o', 'jsonpath={.metadata.ownerReferences}']), '', 'orphaned dependent lost its owner reference');
    await ok(['delete', 'ns', 'shop', '--wait', '--timeout=30s']);
    assert.match((await k(['get', 'ns', 'shop'])).stderr, /not found/);
  });

  it('create configmap (a protobuf body) and auth can-i work with kubectl 1.33 too', { skip: kubectlPath(33) ? false : 'kubectl.1.33 not installed' }, async () => {
    const k133 = kubectlPath(33) as string;
    const cm = await runKubectl(k133, server.kubeconfig, home, ['create', 'configmap', 'pb', '--from-literal=x=y']);
    assert.equal(cm.code, 0, cm.stderr);
    assert.equal((await runKubectl(k133, server.kubeconfig, home, ['auth', 'can-i', 'get', 'pods'])).stdout.trim(), 'yes');
    assert.equal((await ok(['get', 'cm', 'pb', '-o', 'jsonpath={.data.x}'])), 'y');
  });

  it('create token issues a service-account token the server accepts', async () => {
    await ok(['wait', '--for=jsonpath={.metadata.name}=default', 'serviceaccount/default', '-n', 'default', '--timeout=20s']);
    const token = (await ok(['create', 'token', 'default', '--duration=15m'])).trim();
    assert.match(token, /^eyJ/);
    const whoami = await runKubectl(kubectl132 as string, join(home, 'none'), home, ['--server', `https://127.0.0.1:${server.port}`, '--insecure-skip-tls-verify', '--token', token, 'auth', 'whoami']);
    assert.match(whoami.stdout, /system:serviceaccount:default:default/, whoami.stderr);
    const short = await k(['create', 'token', 'default', '--duration=1m']);
    assert.match(short.stderr, /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
  });

  it('kubectl 1.27 applies, gets and deletes', { skip: kubectlPath(27) ? false : 'kubectl.1.27 not installed' }, async () => {
    const k127 = kubectlPath(27) as string;
    const manifest = join(home, 'old.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n  namespace: default\ndata:\n  k: v\n');
    for (const args of [['apply', '-f', manifest], ['get', 'cm', 'old'], ['delete', 'cm', 'old']]) {
      const r = await runKubectl(k127, server.kubeconfig, home, args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
