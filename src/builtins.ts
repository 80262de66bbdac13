// The first `import ... from 'node:http'` (or node:crypto, node:util, node:tls) in a process builds an ES module
// facade that reads every export of the built-in once, and some exports are lazy getters: node:http's load undici
// (fetch, WebSocket) and perf_hooks, node:crypto's WebCrypto, node:util's worker_threads, and node:tls's builds
// the bundled root CAs as strings. Berth uses none of them, yet in the node agent, which runs for the life of the
// node, they held about 4 MB (9 MB in a bare Node). process.getBuiltinModule returns the CommonJS module and reads
// nothing, so code the agent loads takes these built-ins' functions from here (`src/cli/agent-imports.test.ts`
// checks that the agent loads none of those modules).

/** From node:crypto. */
export const { createHash, randomBytes, timingSafeEqual, X509Certificate } = process.getBuiltinModule('node:crypto');
/** From node:http. */
export const { createServer: createHttpServer, request: httpRequest, STATUS_CODES } = process.getBuiltinModule('node:http');
/** From node:tls. */
export const { createSecureContext } = process.getBuiltinModule('node:tls');
/** From node:util. */
export const { isDeepStrictEqual, parseArgs, promisify } = process.getBuiltinModule('node:util');
