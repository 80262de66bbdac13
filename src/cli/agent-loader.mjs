// Loaded with --import by bin/berth before `berth agent` starts. Plain JavaScript, because it runs before any
// TypeScript: Node strips types with a WebAssembly module that then holds about 18 MB for the life of the process,
// and Node's compile cache, the other way round the stripper, keeps every cached module's code in memory for the
// life of the process too (about 3.5 MB for the agent). Instead src/cli/agent-warm.ts writes each module the agent
// may load, its types already stripped, under $BERTH_AGENT_JS (the module's absolute path appended), and this hook
// hands Node that copy. A copy older than its source is ignored, so an edited module is stripped by Node as usual:
// it costs memory, never runs old code. Module URLs do not change (import.meta.url, stack traces and line numbers
// stay those of the source: stripping only blanks types out).
const { registerHooks } = process.getBuiltinModule('node:module');
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath } = process.getBuiltinModule('node:url');

const dir = process.env.BERTH_AGENT_JS;
if (dir) {
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith('file:') && url.endsWith('.ts')) {
        const path = fileURLToPath(url);
        try {
          const copy = dir + path;
          if (statSync(copy).mtimeMs >= statSync(path).mtimeMs) return { format: 'module', source: readFileSync(copy, 'utf8'), shortCircuit: true };
        } catch {
          // No copy: Node strips the module itself.
        }
      }
      return nextLoad(url, context);
    },
  });
}
