import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer, type ApiServerOptions } from '../apiserver/api-server.ts';
import { defaultExtensions, openApiFor } from '../apiserver/default-extensions.ts';
import type { ApiExtensions } from '../apiserver/extensions.ts';
import { defaultStrategyParts, validateMetaFor } from '../apiserver/kind-rules.ts';
import type { RequestUser } from '../apiserver/handlers/context.ts';
import { SqliteStore } from '../storage/index.ts';

/** admin is the user tests act as. */
export const admin: RequestUser = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

/** TestApi is an in-process API server over a throwaway SQLite store. */
export interface TestApi {
  api: ApiServer;
  store: SqliteStore;
  /** call sends a request as admin and returns the status and parsed JSON body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
}

/** startTestApi starts an ApiServer in-process with the production wiring; pass options to replace parts. */
export async function startTestApi(opts: Partial<ApiServerOptions> & { ext?: ApiExtensions } = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-api-'));
  // Inline: in-process test servers are many and short-lived; berth server (and the e2e tests) use the worker thread.
  const store = SqliteStore.open({ path: join(dir, 'state.db'), autoCompact: null, thread: 'inline' });
  const api = new ApiServer({ store, ext: defaultExtensions(), strategyParts: defaultStrategyParts, validateMeta: validateMetaFor, openapi: openApiFor, ...opts });
  await api.start();
  return {
    api,
    store,
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await api.handle(new Request(`https://berth.test${path}`, init), admin);
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = { text };
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      api.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
