import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startServer, type ServerProcess } from '../../src/testing/server-process.ts';

// The official JavaScript client must work against Berth unchanged: typed calls, watch and an informer.
describe('@kubernetes/client-node against berth server', () => {
  let server: ServerProcess;
  let kc: k8s.KubeConfig;
  before(async () => {
    server = await startServer(['--disable', 'controllers']);
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
  });
  after(async () => {
    await server.stop();
  });

  it('creates and lists with the typed API', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-js', labels: { via: 'client-node' } }, data: { a: '1' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'via=client-node' });
    assert.deepEqual(list.items.map((c) => c.metadata?.name), ['from-js']);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const d = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'js' }, spec: { selector: { matchLabels: { app: 'js' } }, template: { metadata: { labels: { app: 'js' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    });
    assert.equal(d.metadata?.generation, 1);
  });

  it('watches changes', async () => {
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const req = await watch.watch('/api/v1/namespaces/default/configmaps', {}, (type, obj: k8s.V1ConfigMap) => {
      if (obj.metadata?.name === 'watched') {
        seen.push(type);
        if (type === 'DELETED') resolveDone();
      }
    }, () => {});
    await new Promise((r) => setTimeout(r, 500));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
    await done;
    req.abort();
    assert.deepEqual(seen, ['ADDED', 'DELETED']);
  });

  it('runs an informer whose cache follows the server', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const added = new Promise<void>((resolve) => {
      informer.on('add', (obj: k8s.V1ConfigMap) => {
        if (obj.metadata?.name === 'informed') resolve();
      });
    });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'informed' } } });
    await added;
    assert.ok(informer.list('default').some((c) => c.metadata?.name === 'informed'));
    assert.ok(informer.list('default').some((c) => c.metadata?.name === 'from-js'), 'the initial list is in the cache');
    await informer.stop();
  });
});
