import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

// The agent runs for the life of the node and keeps every module it loads in memory, so what `berth agent`
// loads at start is checked here: the server's store, certificate authority and DNS server, and libraries the
// agent needs only now and then, must not come in through a shared constant or an index file.

/** loadedBy imports a module in a fresh Node and returns the URLs of every module that import loaded, and Node's own modules it loaded. */
function loadedBy(file: string): { urls: string[]; builtins: string[] } {
  const target = new URL(file, import.meta.url).href;
  const script = `import { registerHooks } from 'node:module';
const urls = [];
registerHooks({ load(url, ctx, next) { urls.push(url); return next(url, ctx); } });
await import(${JSON.stringify(target)});
process.stdout.write(JSON.stringify({ urls, builtins: process.moduleLoadList }));`;
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { urls: string[]; builtins: string[] };
}

describe('berth agent start', () => {
  const { urls, builtins } = loadedBy('./agent.ts');
  const cases = [
    { name: 'the store and etcd3', pattern: /\/src\/storage\/|\/node_modules\/etcd3\// },
    { name: 'the API server', pattern: /\/src\/apiserver\/(?!auth\/(identities|nodetoken|secretfile|tokenfile)\.ts)/ },
    { name: 'the certificate library', pattern: /\/node_modules\/@peculiar\// },
    { name: 'the DNS server', pattern: /\/src\/dns\/(?!resolv-conf\.ts)/ },
    { name: 'controllers', pattern: /\/src\/controllers\/(?!nodeipam\/cidr-set\.ts)/ },
    { name: 'the YAML parser (static pod manifests)', pattern: /\/node_modules\/yaml\// },
    { name: 'the WebSocket library (streaming)', pattern: /\/node_modules\/ws\// },
    { name: 'the Service proxy', pattern: /\/src\/proxy\/(?!exec\.ts|sync-runner\.ts)/ },
  ];
  for (const c of cases) {
    it(`does not load ${c.name}`, () => assert.deepEqual(urls.filter((u) => c.pattern.test(u)), []));
  }
  // Importing node:http, node:crypto or node:util as an ES module loads these through lazy exports (src/builtins.ts).
  for (const m of ['internal/deps/undici/undici', 'internal/crypto/webcrypto', 'worker_threads']) {
    it(`does not load Node's ${m}`, () => assert.ok(!builtins.includes(`NativeModule ${m}`)));
  }
  it('loads the CRI client', () => assert.ok(urls.some((u) => u.endsWith('/src/kubelet/cri/client.ts'))));
});
