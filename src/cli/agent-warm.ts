// Run by bin/berth before `berth agent` starts, in a short-lived process of its own, when the agent's modules may
// have changed: it imports every module the agent may load and writes each one, its types stripped, under the
// directory given as its argument (the module's absolute path appended), for src/cli/agent-loader.mjs to hand to
// the agent (that file says why). Importing has no side effects: nothing runs.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = process.argv[2];
if (!out) throw new Error('usage: agent-warm.ts DIR');
const sources: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/')) sources.push(fileURLToPath(url));
    return nextLoad(url, context);
  },
});
// Imported after the hook is in place, so not with static imports. main.ts runs only as the entry point.
await import('./main.ts');
await import('./agent.ts');
// The agent imports these only when it needs them (the Service proxy, static pod manifests, exec/attach/port-forward).
await import('../kubelet/network/node-proxy.ts');
await import('../kubelet/static/manifest-parse.ts');
await import('../kubelet/streaming/cri-stream-client.ts');
for (const path of sources) {
  const copy = out + path;
  mkdirSync(dirname(copy), { recursive: true });
  // Renamed into place: an agent starting beside this process reads a whole copy or none.
  writeFileSync(`${copy}.${process.pid}`, stripTypeScriptTypes(readFileSync(path, 'utf8')));
  renameSync(`${copy}.${process.pid}`, copy);
}
