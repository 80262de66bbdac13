// Loaded with --import by bin/berth before `berth agent` starts. Plain JavaScript, because it runs before any
// TypeScript: Node strips types with a WebAssembly module that then holds about 18 MB for the life of the process
// (and the agent runs --jitless, without WebAssembly), and Node's compile cache, the other way round the stripper,
// keeps every cached module's code in memory for the life of the process too (about 3.5 MB for the agent). Instead
// src/cli/agent-warm.ts writes each module the agent may load, its types already stripped, under $BERTH_AGENT_JS
// (the module's absolute path appended), and this hook hands Node that copy. A module with no copy, or a copy
// older than its source, is stripped by a short-lived child Node: it costs time, never memory, and never runs old
// code. Module URLs do not change (import.meta.url, stack traces and line numbers stay those of the source:
// stripping only blanks types out).
const { registerHooks } = process.getBuiltinModule('node:module');
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath } = process.getBuiltinModule('node:url');

const dir = process.env.BERTH_AGENT_JS ?? '';
const strip = "const { stripTypeScriptTypes } = process.getBuiltinModule('node:module'); process.stdout.write(stripTypeScriptTypes(process.getBuiltinModule('node:fs').readFileSync(process.argv[1], 'utf8')))";

/** stripped returns a module's source without its types. */
function stripped(path) {
  try {
    const copy = dir + path;
    if (dir && statSync(copy).mtimeMs >= statSync(path).mtimeMs) return readFileSync(copy, 'utf8');
  } catch {
    // No copy.
  }
  const { execFileSync } = process.getBuiltinModule('node:child_process');
  return execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', strip, path], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: '' } });
}

registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:') && url.endsWith('.ts') && !url.includes('/node_modules/')) return { format: 'module', source: stripped(fileURLToPath(url)), shortCircuit: true };
    return nextLoad(url, context);
  },
});
