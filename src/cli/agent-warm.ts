// Loaded by bin/berth before `berth agent` starts, in a short-lived process of its own, when the agent's
// modules may be missing from Node's compile cache. A module missing from the cache has its types stripped by
// Node's TypeScript stripper, a WebAssembly module that then holds about 18 MB of the process's memory until it
// exits; loading every module the agent may load here first puts them all in the cache, so the long-running
// agent never loads the stripper. Node checks each cached entry against the source, so a stale cache only
// costs a strip, never runs old code. Importing has no side effects: nothing runs.
import './agent.ts';
// The agent imports these only when it needs them (the Service proxy, static pod manifests, exec/attach/port-forward).
import '../kubelet/network/node-proxy.ts';
import '../kubelet/static/manifest-parse.ts';
import '../kubelet/streaming/cri-stream-client.ts';
