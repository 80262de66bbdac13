import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

// bin/berth runs the agent with src/cli/agent-loader.mjs and the type-stripped copies src/cli/agent-warm.ts writes,
// so that Node's TypeScript stripper never loads in the agent.

const loader = fileURLToPath(new URL('./agent-loader.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'berth-agent-loader-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** run imports a module in a fresh Node with the loader and returns what the script printed. */
function run(copies: string, script: string, flags: string[] = []): string {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', ...flags, '--import', loader, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, BERTH_AGENT_JS: copies, NODE_DISABLE_COMPILE_CACHE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('agent loader', () => {
  it('has agent-warm.ts write a copy of every module the agent loads, and the agent loads without the TypeScript stripper', () => {
    const copies = join(tmp, 'warm');
    const w = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', fileURLToPath(new URL('./agent-warm.ts', import.meta.url)), copies], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(w.status, 0, w.stderr);
    const lazy = ['../kubelet/network/node-proxy.ts', '../kubelet/streaming/cri-stream-client.ts', '../kubelet/static/manifest-parse.ts', './main.ts'];
    const script = `const urls = [];
process.getBuiltinModule('node:module').registerHooks({ load(url, ctx, next) { urls.push(url); return next(url, ctx); } });
await import(${JSON.stringify(new URL('./agent.ts', import.meta.url).href)});
process.stdout.write(JSON.stringify({ urls, amaro: process.moduleLoadList.filter((m) => m.includes('amaro')) }));`;
    const { urls, amaro } = JSON.parse(run(copies, script, ['--jitless'])) as { urls: string[]; amaro: string[] };
    const modules = [...urls, ...lazy.map((m) => new URL(m, import.meta.url).href)].filter((u) => u.endsWith('.ts') && !u.includes('/node_modules/'));
    assert.ok(modules.length > 100);
    assert.deepEqual(modules.filter((u) => !existsSync(copies + fileURLToPath(u))), []);
    assert.deepEqual(amaro, []);
  });

  const cases = [
    { name: 'uses a copy newer than its source', copyAge: 0, want: 'copy' },
    { name: 'ignores a copy older than its source (a child Node strips the source)', copyAge: 60, want: 'source' },
    { name: 'strips a module with no copy in a child Node', copyAge: -1, want: 'source' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const source = join(tmp, `m-${c.copyAge}.ts`);
      writeFileSync(source, "export const from: string = 'source';\n");
      const copy = join(tmp, 'copies') + source;
      mkdirSync(dirname(copy), { recursive: true });
      const now = Date.now() / 1000;
      utimesSync(source, now - 30, now - 30);
      if (c.copyAge >= 0) {
        writeFileSync(copy, "export const from = 'copy';\n");
        utimesSync(copy, now - c.copyAge, now - c.copyAge);
      }
      // --jitless as the agent runs: Node's own stripper, WebAssembly, cannot run there.
      const out = run(join(tmp, 'copies'), `const m = await import(${JSON.stringify(pathToFileURL(source).href)}); process.stdout.write(m.from + ' ' + process.moduleLoadList.some((m) => m.includes('amaro')));`, ['--jitless']);
      assert.equal(out, `${c.want} false`);
    });
  }
});
