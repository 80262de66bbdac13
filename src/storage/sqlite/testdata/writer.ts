// A writer for the durability test: it creates keys from 16 concurrent loops until killed, and prints
// "ack KEY" only after the store acknowledged the write.
import { SqliteStore } from '../store.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: writer.ts PATH');
const store = SqliteStore.open({ path });
const value = new Uint8Array(512).fill(7);
let next = 0;
process.stdout.write('ready\n');
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (;;) {
      const key = `/registry/durability/${next++}`;
      await store.create(key, value);
      process.stdout.write(`ack ${key}\n`);
    }
  }),
);
