import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatCriLine, LogLineWriter, parseCriLine } from './cri-format.ts';
import { PodLogDirectory } from './locate.ts';
import { readContainerLog, type ReadLogOptions } from './reader.ts';

const t0 = '2026-11-22T23:33:44.422435119Z';
const t1 = '2026-11-22T23:33:45.000000000Z';
const t2 = '2026-11-22T23:33:46.500000000Z';

describe('parseCriLine', () => {
  const cases = [
    { name: 'full stdout line', line: `${t0} stdout F hello world`, want: { stream: 'stdout', partial: false, content: 'hello world' } },
    { name: 'partial stderr line', line: `${t0} stderr P part`, want: { stream: 'stderr', partial: true, content: 'part' } },
    { name: 'empty content', line: `${t0} stdout F `, want: { stream: 'stdout', partial: false, content: '' } },
    { name: 'empty content without the space', line: `${t0} stdout F`, want: { stream: 'stdout', partial: false, content: '' } },
    { name: 'content with spaces kept', line: `${t0} stdout F  two  spaces `, want: { stream: 'stdout', partial: false, content: ' two  spaces ' } },
    { name: 'tag with extra values', line: `${t0} stdout F:x text`, want: { stream: 'stdout', partial: false, content: 'text' } },
    { name: 'bad stream', line: `${t0} other F text`, want: null },
    { name: 'bad time', line: `yesterday stdout F text`, want: null },
    { name: 'bad tag', line: `${t0} stdout Z text`, want: null },
    { name: 'not CRI', line: `plain`, want: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = parseCriLine(Buffer.from(c.line));
      assert.deepEqual(got && { stream: got.stream, partial: got.partial, content: got.content.toString() }, c.want);
    });
  }
});

describe('LogLineWriter', () => {
  it('joins partial lines and stamps only the start of a logical line', () => {
    const w = new LogLineWriter(true);
    const out = [`${t0} stdout P ab`, `${t1} stdout P cd`, `${t2} stdout F ef`, `${t2} stdout F next`].map((l) => w.render(parseCriLine(Buffer.from(l)) ?? assert.fail()).toString()).join('');
    assert.equal(out, `${t0} abcdef\n${t2} next\n`);
  });
});

describe('readContainerLog', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logs-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, '0.log');
  await writeFile(file, [formatCriLine(t0, 'stdout', 'one'), formatCriLine(t1, 'stderr', 'two'), formatCriLine(t1, 'stdout', 'thr', true), formatCriLine(t2, 'stdout', 'ee'), 'garbage\n', formatCriLine(t2, 'stdout', 'four')].join(''));

  const read = async (opts: Partial<ReadLogOptions>): Promise<string> => {
    const chunks: Buffer[] = [];
    await readContainerLog(file, { follow: false, timestamps: false, ...opts }, async (b) => void chunks.push(b), new AbortController().signal);
    return Buffer.concat(chunks).toString();
  };
  const cases: { name: string; opts: Partial<ReadLogOptions>; want: string }[] = [
    { name: 'everything, stdout and stderr interleaved', opts: {}, want: 'one\ntwo\nthree\nfour\n' },
    { name: 'timestamps', opts: { timestamps: true }, want: `${t0} one\n${t1} two\n${t1} three\n${t2} four\n` },
    { name: 'tail counts file lines', opts: { tailLines: 2 }, want: 'four\n' },
    { name: 'tail 3 starts inside a joined line', opts: { tailLines: 3 }, want: 'ee\nfour\n' },
    { name: 'tail 0', opts: { tailLines: 0 }, want: '' },
    { name: 'tail beyond the file', opts: { tailLines: 100 }, want: 'one\ntwo\nthree\nfour\n' },
    { name: 'since drops older lines', opts: { sinceMs: Date.parse(t1) }, want: 'two\nthree\nfour\n' },
    { name: 'limitBytes cuts mid-line', opts: { limitBytes: 6 }, want: 'one\ntw' },
  ];
  for (const c of cases) it(c.name, async () => assert.equal(await read(c.opts), c.want));

  it('follows appended lines, rotation and the next restart file until aborted', async () => {
    const cdir = join(dir, 'ns_pod_uid', 'c');
    await mkdir(cdir, { recursive: true });
    const f0 = join(cdir, '0.log');
    await writeFile(f0, formatCriLine(t0, 'stdout', 'a'));
    const located = await new PodLogDirectory(dir).locate({ namespace: 'ns', pod: 'pod', container: 'c' }, false);
    assert.equal(located.path, f0);
    const abort = new AbortController();
    let text = '';
    const waiters: { want: string; resolve: () => void }[] = [];
    const seen = (want: string): Promise<void> => new Promise((resolve) => (text.includes(want) ? resolve() : waiters.push({ want, resolve })));
    const done = readContainerLog(f0, { follow: true, timestamps: false }, async (b) => {
      text += b.toString();
      for (const w of waiters.filter((x) => text.includes(x.want))) w.resolve();
    }, abort.signal, { nextFile: located.nextFile, pollMs: 50 });
    await seen('a\n');
    await appendFile(f0, formatCriLine(t1, 'stdout', 'b'));
    await seen('b\n');
    await rename(f0, `${f0}.20261122-233346`);
    await writeFile(f0, formatCriLine(t2, 'stdout', 'c'));
    await seen('c\n');
    await writeFile(join(cdir, '1.log'), formatCriLine(t2, 'stdout', 'd'));
    await seen('d\n');
    abort.abort();
    await done;
    assert.equal(text, 'a\nb\nc\nd\n');
  });

  it('stops following once the container is not running', async () => {
    const chunks: string[] = [];
    await readContainerLog(file, { follow: true, timestamps: false, tailLines: 1 }, async (b) => void chunks.push(b.toString()), new AbortController().signal, { running: async () => false, pollMs: 10 });
    assert.deepEqual(chunks, ['four\n']);
  });
});

describe('PodLogDirectory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-logroot-'));
  after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'default_web_u1', 'app'), { recursive: true });
  await writeFile(join(root, 'default_web_u1', 'app', '0.log'), '');
  const logs = new PodLogDirectory(root);

  it('finds the current file and refuses a missing previous one with the kubelet message', async () => {
    assert.equal((await logs.locate({ namespace: 'default', pod: 'web', container: 'app' }, false)).path, join(root, 'default_web_u1', 'app', '0.log'));
    await assert.rejects(logs.locate({ namespace: 'default', pod: 'web', container: 'app' }, true), { message: 'previous terminated container "app" in pod "web" not found' });
    await assert.rejects(logs.locate({ namespace: 'default', pod: 'web', container: 'nope' }, false), { message: 'container "nope" in pod "web" is waiting to start: ContainerCreating' });
  });

  it('picks the restart before the current one for previous', async () => {
    await writeFile(join(root, 'default_web_u1', 'app', '1.log'), '');
    await writeFile(join(root, 'default_web_u1', 'app', '1.log.20261122-000000'), '');
    assert.equal((await logs.locate({ namespace: 'default', pod: 'web', container: 'app' }, true)).path, join(root, 'default_web_u1', 'app', '0.log'));
    assert.equal((await logs.locate({ namespace: 'default', pod: 'web', container: 'app' }, false)).path, join(root, 'default_web_u1', 'app', '1.log'));
  });
});
