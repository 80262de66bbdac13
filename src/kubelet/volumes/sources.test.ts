import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedInFlight } from './sources.ts';

/** counted returns a read that resolves (or rejects) only when told, and counts its calls per key. */
function counted(): { read: (ns: string, name: string) => Promise<string>; calls: Map<string, number>; settle: (ok?: boolean) => void } {
  const calls = new Map<string, number>();
  const waiting: { key: string; resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  return {
    calls,
    read: (ns, name) => {
      const key = `${ns}/${name}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return new Promise((resolve, reject) => waiting.push({ key, resolve, reject }));
    },
    settle: (ok = true) => {
      for (const w of waiting.splice(0)) {
        if (ok) w.resolve(`${w.key}#${calls.get(w.key)}`);
        else w.reject(new Error(`no ${w.key}`));
      }
    },
  };
}

test('sharedInFlight: callers overlapping one read share it', async () => {
  const c = counted();
  const get = sharedInFlight(c.read);
  const a = get('ns', 'x');
  const b = get('ns', 'x');
  const other = get('ns', 'y');
  c.settle();
  assert.deepEqual(await Promise.all([a, b, other]), ['ns/x#1', 'ns/x#1', 'ns/y#1']);
  assert.equal(c.calls.get('ns/x'), 1);
});

test('sharedInFlight: a call after the read settled reads again (nothing is cached)', async () => {
  const c = counted();
  const get = sharedInFlight(c.read);
  const first = get('ns', 'x');
  c.settle();
  await first;
  const second = get('ns', 'x');
  c.settle();
  assert.equal(await second, 'ns/x#2');
});

test('sharedInFlight: a failed read fails every caller that shared it, and is not kept', async () => {
  const c = counted();
  const get = sharedInFlight(c.read);
  const a = get('ns', 'x');
  const b = get('ns', 'x');
  c.settle(false);
  await assert.rejects(a, /no ns\/x/);
  await assert.rejects(b, /no ns\/x/);
  const again = get('ns', 'x');
  c.settle();
  assert.equal(await again, 'ns/x#2');
});
