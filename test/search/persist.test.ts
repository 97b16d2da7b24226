import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RagscopeError } from '../../src/core/errors.js';
import { HashingEmbedder } from '../../src/embedders/hashing.js';
import { type IndexManifest, readManifest } from '../../src/search/persist.js';
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
      expect(p.chunksWithoutVector()).toHaveLength(1);
      const dir = path.join(work, `round-${index}`);
      await p.save(dir);
      const manifest: IndexManifest = await readManifest(dir);
      expect(manifest).toMatchObject({
        format: 'ragscope-index',
        version: 1,
        embedder: { id: 'hashing:d96:w1:c3-5', dimensions: 96 },
      });
      expect(Object.keys(manifest.files).sort()).toEqual(
        [
          'bm25.json',
          'chunks.jsonl',
          'docs.jsonl',
          'vector-ids.json',
          'vector-index.bin',
          'vectors.bin',
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
    for (const name of ['chunks.jsonl', 'bm25.json', 'vectors.bin', 'vector-index.bin']) {
      const dir = path.join(work, `corrupt-${name}`);
      await (await build('exact', 20)).save(dir);
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
    rmSync(path.join(dir, 'docs.jsonl'));
    await expectError(
      RetrievalPipeline.load(dir, { embedder: new HashingEmbedder({ dimensions: 96 }) }),
      'CORRUPT_FILE',
      /docs\.jsonl.*missing/,
    );
    writeFileSync(
      path.join(dir, 'manifest.json'),
      '{"format": "ragscope-index", "version": 9, "files": {}, "config": {}}',
    );
    await expectError(RetrievalPipeline.load(dir), 'INCOMPATIBLE_INDEX', /format version 9/);
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
