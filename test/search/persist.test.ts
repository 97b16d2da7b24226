import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { INDEX_FORMAT_VERSION, type IndexManifest, readManifest } from '../../src/search/persist.js';
import { RetrievalPipeline } from '../../src/search/pipeline.js';
import { repoRoot, scifactDocs } from './shared.js';

const work = mkdtempSync(path.join(tmpdir(), 'ragscope-persist-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const docs = scifactDocs(60);
const query = 'vitamin D deficiency and bone fracture risk';

async function build(index: 'exact' | 'hnsw' = 'exact', n = 60) {
  const p = new RetrievalPipeline({
    chunker: 'recursive:400/0',
    embedder: new HashingEmbedder({ dimensions: 96 }),
    vector: { index, M: 8, efConstruction: 64, efSearch: 64 },
    fusion: { method: 'weighted', normalization: 'zscore' },
    depth: { bm25: 40, vector: 40 },
  });
  await p.addDocuments(docs.slice(0, n));
  return p;
}

const summary = async (p: RetrievalPipeline) => {
  const { hits } = await p.search(query, { k: 8 });
  return hits.map((h) => [h.chunk.id, h.score]);
};

async function expectError(promise: Promise<unknown>, code: string, pattern: RegExp) {
  const err = await promise.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(RagscopeError);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(pattern);
}

describe('save / load', () => {
  it.each(['exact', 'hnsw'] as const)(
    'round trip (%s): same config, chunks, vectors and results',
    async (index) => {
      const p = await build(index);
      await p.addDocuments([{ id: 'punctuation', text: '!!! ??? ***' }]); // embeds to the zero vector
      // a lone surrogate (not valid Unicode: stored as UTF-16) and metadata that chunks inherit
      await p.addDocuments([
        { id: 'surrogate', text: 'broken \uD83D pair, then caf\u00e9 words', metadata: { lang: 'en', n: 1 } },
      ]);
      expect(p.chunksWithoutVector()).toHaveLength(1);
      const dir = path.join(work, `round-${index}`);
      await p.save(dir);
      const manifest: IndexManifest = await readManifest(dir);
      expect(manifest).toMatchObject({
        format: 'ragscope-index',
        version: INDEX_FORMAT_VERSION,
        embedder: { id: 'hashing:d96:w1:c3-5', dimensions: 96 },
      });
      // each text once (documents; chunks are offsets), binary postings, one copy of the vectors (+ the HNSW graph)
      expect(Object.keys(manifest.files).sort()).toEqual(
        [
          'bm25.bin',
          'chunks.bin',
          'docs.bin',
          'texts.bin',
          'vectors.bin',
          ...(index === 'hnsw' ? ['vector-index.bin'] : []),
        ].sort(),
      );
      for (const meta of Object.values(manifest.files)) expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
      const q = await RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) });
      expect(q.config).toEqual(p.config);
      expect(q.stats).toEqual(p.stats);
      expect(q.chunkIds().sort()).toEqual(p.chunkIds().sort());
      expect(q.chunksWithoutVector()).toEqual(p.chunksWithoutVector());
      for (const id of p.chunkIds()) {
        expect(q.getChunk(id)).toEqual(p.getChunk(id));
        expect(Array.from(q.getVector(id) ?? [])).toEqual(Array.from(p.getVector(id) ?? []));
      }
      expect(await summary(q)).toEqual(await summary(p));
      // the loaded pipeline keeps working incrementally
      await q.updateDocuments([{ ...docs[0]!, text: 'quokka quokka' }]);
      expect((await q.search('quokka', { k: 1 })).hits[0]!.chunk.docId).toBe(docs[0]!.id);
      // saving again over an existing index replaces it
      await q.save(dir);
      const r = await RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) });
      expect(r.getDocument(docs[0]!.id)!.text).toBe('quokka quokka');
      expect(readdirSync(work).filter((n) => n.includes('.tmp-') || n.includes('.old-'))).toEqual([]);
    },
  );

  it('refuses another embedder or dimension, saying which', async () => {
    const dir = path.join(work, 'compat');
    await (await build()).save(dir);
    await expectError(
      RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 64 }) }),
      'INCOMPATIBLE_INDEX',
      /embedder id differs: saved hashing:d96:w1:c3-5, given hashing:d64:w1:c3-5; dimensions differ: saved 96, given 64/,
    );
    await expectError(
      RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96, wordWeight: 2 }) }),
      'INCOMPATIBLE_INDEX',
      /embedder id differs/,
    );
    await expectError(RetrievalPipeline.load(dir), 'INVALID_ARGUMENT', /options\.embedder.*hashing:d96/);
    await expectError(RetrievalPipeline.load(path.join(work, 'nothing-here')), 'NOT_FOUND', /no saved index/);
  });

  it('detects a corrupted or missing file and names it', async () => {
    for (const [name, kind] of [
      ['chunks.bin', 'exact'],
      ['bm25.bin', 'exact'],
      ['vectors.bin', 'exact'],
      ['texts.bin', 'exact'],
      ['docs.bin', 'exact'],
      ['vector-index.bin', 'hnsw'],
    ] as const) {
      const dir = path.join(work, `corrupt-${name}`);
      await (await build(kind, 20)).save(dir);
      const file = path.join(dir, name);
      const bytes = readFileSync(file);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x20;
      writeFileSync(file, bytes);
      await expectError(
        RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) }),
        'CORRUPT_FILE',
        new RegExp(`${name.replace('.', '\\.')}.*checksum mismatch`),
      );
    }
    const dir = path.join(work, 'missing');
    await (await build('exact', 20)).save(dir);
    rmSync(path.join(dir, 'docs.bin'));
    await expectError(
      RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) }),
      'CORRUPT_FILE',
      /docs\.bin.*missing/,
    );
    writeFileSync(
      path.join(dir, 'manifest.json'),
      '{"format": "ragscope-index", "version": 1, "files": {}, "config": {}}',
    );
    await expectError(RetrievalPipeline.load(dir), 'INCOMPATIBLE_INDEX', /format version 1 .*re-index/);
    // format 3 (before binary postings) and a future format: re-index; format 4 loads (persist-formats.test.ts)
    for (const version of [3, INDEX_FORMAT_VERSION + 1]) {
      writeFileSync(
        path.join(dir, 'manifest.json'),
        `{"format": "ragscope-index", "version": ${version}, "files": {}, "config": {}}`,
      );
      await expectError(
        RetrievalPipeline.load(dir),
        'INCOMPATIBLE_INDEX',
        new RegExp(`format version ${version}\\b.*reads versions 4 and 5: re-index`),
      );
    }
    writeFileSync(path.join(dir, 'manifest.json'), '{ not json');
    await expectError(RetrievalPipeline.load(dir), 'CORRUPT_FILE', /manifest\.json/);
  });

  it('refuses to overwrite a folder that is not a saved index', async () => {
    const dir = path.join(work, 'user-folder');
    await (await build('exact', 5)).save(path.join(dir, 'ok'));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    await expectError((await build('exact', 5)).save(dir), 'INVALID_ARGUMENT', /refusing/);
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('a save killed midway (SIGKILL) leaves the previous index intact', async () => {
    const dir = path.join(work, 'killed');
    const previous = await build('exact', 30);
    await previous.save(dir);
    const before = await summary(previous);

    const script = path.join(repoRoot, 'test/search/fixtures/big-save.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const tmpPrefix = `${path.basename(dir)}.tmp-`;
    let sawTemp = '';
    const deadline = Date.now() + 50_000;
    while (!sawTemp && Date.now() < deadline && child.exitCode === null) {
      if (out.includes('READY')) {
        sawTemp = readdirSync(work).find((n) => n.startsWith(tmpPrefix)) ?? '';
        if (sawTemp) break;
        await new Promise((r) => setImmediate(r));
      } else {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    child.kill('SIGKILL');
    const how = await exited;
    expect(sawTemp, `child never started saving; stdout=${out} stderr=${err}`).not.toBe('');
    expect(how).toBe('SIGKILL');
    expect(out).not.toContain('SAVED');
    // the partial write is still there (it was killed mid-save) and has no manifest yet
    const partial = path.join(work, sawTemp);
    expect(existsSync(partial)).toBe(true);
    expect(existsSync(path.join(partial, 'manifest.json'))).toBe(false);
    const loaded = await RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) });
    expect(loaded.stats.documents).toBe(30);
    expect(await summary(loaded)).toEqual(before);
    // and the next save succeeds over it, cleaning up the dead save's temp folder
    await loaded.save(dir);
    expect(existsSync(partial)).toBe(false);
    expect(
      (await RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) })).stats
        .documents,
    ).toBe(30);
  });
});

const embedder96 = () => new HashingEmbedder({ dimensions: 96 });
const loadDir = (dir: string) => RetrievalPipeline.load(dir, { embedder: embedder96() });

/** Rewrite a saved manifest, re-sealing its own checksum (what a careful forger would do). */
function rewriteManifest(dir: string, edit: (m: IndexManifest) => void, reseal: boolean): void {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as IndexManifest;
  edit(m);
  if (reseal) {
    const { manifestSha256: _, ...rest } = m;
    m.manifestSha256 = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
  }
  writeFileSync(file, JSON.stringify(m, null, 2));
}

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('saving while the index changes, and hand-edited or leftover folders', () => {
  it('a save under 300 concurrent updates writes one consistent state that loads', async () => {
    const p = await build('exact', 40);
    const dir = path.join(work, 'concurrent');
    const updates: Array<Promise<unknown>> = [];
    let saved: Promise<void> | null = null;
    for (let i = 0; i < 300; i++) {
      const doc = docs[i % 40]!;
      if (i % 3 === 2)
        updates.push(p.updateDocuments([{ id: `extra-${i}`, text: `${doc.text} extra ${i}` }]));
      else updates.push(p.updateDocuments([{ ...doc, text: `${doc.text.slice(0, 300 + i)} revision ${i}` }]));
      if (i === 150) saved = p.save(dir);
    }
    await Promise.all([...updates, saved]);
    const q = await loadDir(dir);
    // the snapshot holds exactly the 151 updates queued before save()
    expect(q.stats.documents).toBe(40 + 50);
    expect(q.getDocument('extra-149')).toBeDefined();
    expect(q.getDocument('extra-152')).toBeUndefined();
    expect(q.getDocument(docs[150 % 40]!.id)!.text).toMatch(/revision 150$/);
    expect(q.stats.bm25).toBe(q.stats.chunks);
    expect(q.stats.vectors).toBe(q.chunkIds().length - q.chunksWithoutVector().length);
  });

  it('refuses to save stores that disagree and keeps the previous index', async () => {
    const dir = path.join(work, 'disagree');
    const p = await build('exact', 10);
    await p.save(dir);
    p.bm25!.add([{ id: 'stray', docId: 'nowhere', text: 'not in the chunk store' }]);
    await expectError(
      p.save(dir),
      'CORRUPT_FILE',
      /stores disagree \(BM25 holds \d+ chunks, the store \d+\)/,
    );
    expect((await loadDir(dir)).stats.documents).toBe(10);
    expect(readdirSync(work).filter((n) => n.startsWith('disagree.'))).toEqual([]);
  });

  it('detects a hand-edited manifest (depth, vector: false)', async () => {
    const dir = path.join(work, 'edited');
    await (await build('exact', 10)).save(dir);
    const original = readFileSync(path.join(dir, 'manifest.json'));
    rewriteManifest(dir, (m) => (m.config.depth = { bm25: 3, vector: 3 }), false);
    await expectError(loadDir(dir), 'CORRUPT_FILE', /manifest\.json.*checksum mismatch/);
    writeFileSync(path.join(dir, 'manifest.json'), original);
    rewriteManifest(dir, (m) => (m.config.vector = false), false);
    await expectError(loadDir(dir), 'CORRUPT_FILE', /manifest\.json.*checksum mismatch/);
    await expectError(readManifest(dir), 'CORRUPT_FILE', /manifest\.json.*checksum mismatch/);
  });

  it('rejects manifest entries that point outside the index folder', async () => {
    const dir = path.join(work, 'escape');
    await (await build('exact', 10)).save(dir);
    const outside = path.join(work, 'outside.bin');
    writeFileSync(outside, 'secret');
    const meta = { sha256: createHash('sha256').update('secret').digest('hex'), bytes: 6 };
    for (const name of ['../outside.bin', '/etc/passwd', 'sub/../../outside.bin']) {
      const copy = path.join(work, `escape-${createHash('md5').update(name).digest('hex').slice(0, 6)}`);
      cpSync(dir, copy, { recursive: true });
      rewriteManifest(copy, (m) => (m.files[name] = meta), true);
      await expectError(loadDir(copy), 'CORRUPT_FILE', /not a plain file name inside the index folder/);
    }
  });

  it('prefers the newest of leftover .old-* folders, and the next save removes them', async () => {
    const older = await build('exact', 30);
    const newer = await build('exact', 10);
    const pid = deadPid();
    for (const [first, second] of [
      ['aaaa', 'bbbb'],
      ['bbbb', 'aaaa'],
    ] as const) {
      const dir = path.join(work, `leftover-${first}`);
      await older.save(dir);
      renameSync(dir, `${dir}.old-${pid}-${first}`);
      await new Promise((r) => setTimeout(r, 5));
      await newer.save(dir);
      // a save killed between its two renames: only .old-* folders are left
      renameSync(dir, `${dir}.old-${pid}-${second}`);
      expect((await loadDir(dir)).stats.documents).toBe(10);
      expect((await readManifest(dir)).counts.documents).toBe(10);
      await older.save(dir);
      expect(readdirSync(work).filter((n) => n.startsWith(`leftover-${first}.`))).toEqual([]);
      expect((await loadDir(dir)).stats.documents).toBe(30);
    }
  });

  it('stores extras (the CLI sidecar) inside the atomic swap, checksummed', async () => {
    const dir = path.join(work, 'extras');
    const p = await build('exact', 10);
    await p.save(dir, { extras: { 'notes.json': '{"v":1}\n' } });
    const manifest = await readManifest(dir);
    expect(manifest.extras).toEqual(['notes.json']);
    expect(manifest.files['notes.json']!.bytes).toBe(8);
    expect(readFileSync(path.join(dir, 'notes.json'), 'utf8')).toBe('{"v":1}\n');
    await p.save(dir);
    expect(existsSync(path.join(dir, 'notes.json'))).toBe(false);
    await p.save(dir, { extras: { 'notes.json': '{"v":2}\n' } });
    writeFileSync(path.join(dir, 'notes.json'), '{"v":3}\n');
    await expectError(loadDir(dir), 'CORRUPT_FILE', /notes\.json.*checksum mismatch/);
    await expectError(
      p.save(dir, { extras: { 'bm25.bin': 'x' } }),
      'INVALID_ARGUMENT',
      /options\.extras.*bm25\.bin/,
    );
    await expectError(p.save(dir, { extras: { '../x': 'x' } }), 'INVALID_ARGUMENT', /options\.extras/);
  });
});
